/**
 * An AbortSignal that fires after `ms` or when `parent` fires, whichever is first, and a
 * `dispose()` that clears the timer: no timer outlives the work it bounds.
 */
export interface Deadline {
  signal: AbortSignal;
  dispose(): void;
}

export function createDeadline(ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(parent?.reason);
  const timer = setTimeout(
    () => controller.abort(new DOMException("deadline exceeded", "TimeoutError")),
    Math.max(0, ms),
  );
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener("abort", onParentAbort);
    },
  };
}

/** Settles with `work`, or rejects as soon as `signal` fires, whichever is first. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {}); // settles later on its own; nobody is waiting for it any more
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
