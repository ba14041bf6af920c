/**
 * Runs `task` over `inputs` with at most `limit` running at once and returns the results in input
 * order. A task that throws yields its error in place of a result; the others go on.
 */
export async function mapWithConcurrency<T, R>(
  inputs: readonly T[],
  limit: number,
  task: (input: T) => Promise<R>,
): Promise<(R | Error)[]> {
  const results: (R | Error)[] = new Array(inputs.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < inputs.length) {
      const index = next++;
      try {
        results[index] = await task(inputs[index] as T);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
  }
  const workers = Array.from({ length: Math.max(1, Math.min(limit, inputs.length)) }, worker);
  await Promise.all(workers);
  return results;
}

/** The results of `mapWithConcurrency` that are not errors. */
export function successes<R>(results: readonly (R | Error)[]): R[] {
  return results.filter((result): result is R => !(result instanceof Error));
}
