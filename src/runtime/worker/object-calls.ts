import { InvalidMarkerInputError, StoreUnavailableError } from "../../state/read-marker-store.js";
import type { ReadStateObject, Refusable } from "./read-state-object.js";

/** The object check() calls: one fixed name (with a NUL, which no identity may contain), so
 * checks never touch, or create, an identity's object. */
const CHECK_OBJECT = "\u0000check";

/**
 * Calls into the per-identity ReadStateObjects (binding READ_STATE), as both Workers stores —
 * read markers and writes — make them: `call` reaches the object named `name`, its refusal of
 * bad input becomes the InvalidMarkerInputError every backend throws, and a failure to reach it
 * StoreUnavailableError; `check` pings the fixed check object; after `close` every call fails.
 */
export function objectCalls(namespace: DurableObjectNamespace<ReadStateObject>) {
  let closed = false;

  async function call<T>(
    name: string,
    work: (stub: DurableObjectStub<ReadStateObject>) => Promise<unknown>,
  ): Promise<T> {
    if (closed) throw new StoreUnavailableError("durable_object", "the store is closed");
    let answer: Refusable<T>;
    try {
      answer = (await work(namespace.get(namespace.idFromName(name)))) as Refusable<T>;
    } catch (error) {
      throw new StoreUnavailableError("durable_object", String(error), { cause: error });
    }
    if ("refused" in answer) throw new InvalidMarkerInputError(answer.refused);
    return answer.ok;
  }

  return {
    call,
    async check(): Promise<void> {
      await call<boolean>(CHECK_OBJECT, (stub) => stub.ping());
    },
    async close(): Promise<void> {
      closed = true;
    },
  };
}
