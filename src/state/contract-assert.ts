/**
 * The few assertions the store contract needs, so its cases live in src/ as data and run under
 * any test runner (vitest on Node, vitest inside workerd) without importing one.
 */

export class ContractFailure extends Error {
  override readonly name = "ContractFailure";
}

// A stable text form for deep comparison: Maps become sorted entry lists, object keys are sorted.
function canonical(value: unknown): unknown {
  if (value instanceof Map)
    return {
      Map: [...value.entries()]
        .map(([key, item]) => [canonical(key), canonical(item)])
        .sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)),
    };
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  return value;
}

const show = (value: unknown) => JSON.stringify(canonical(value));

interface Assert {
  ok(condition: unknown, message: string): asserts condition;
  /** Deep equality of plain data, Maps and arrays (array order counts). */
  equal(actual: unknown, expected: unknown, message: string): void;
  /** The promise rejects with an instance of `type`. */
  rejects(
    promise: Promise<unknown>,
    type: abstract new (...args: never[]) => Error,
    message: string,
  ): Promise<void>;
}

export const assert: Assert = {
  ok(condition, message) {
    if (!condition) throw new ContractFailure(message);
  },

  equal(actual, expected, message) {
    const a = show(actual);
    const e = show(expected);
    if (a !== e) throw new ContractFailure(`${message}\n  expected: ${e}\n  actual:   ${a}`);
  },

  async rejects(promise, type, message) {
    let outcome: unknown;
    try {
      outcome = await promise;
    } catch (error) {
      if (error instanceof type) return;
      throw new ContractFailure(`${message}: rejected with ${String(error)}, not a ${type.name}`);
    }
    throw new ContractFailure(`${message}: resolved with ${show(outcome)} instead of rejecting`);
  },
};
