import { InvalidMarkerInputError, StoreUnavailableError } from "../../state/read-marker-store.js";
import type { Claim, WriteStore } from "../../state/write-store.js";
import {
  checkAnnouncement,
  checkAnswer,
  checkFingerprint,
  checkIdempotencyKey,
  checkTimes,
  checkTtl,
  checkWriteIdentity,
} from "../../state/write-store-input.js";
import type { ReadStateObject, Refusable } from "./read-state-object.js";

export interface DurableObjectWriteStoreOptions {
  /** Epoch ms, sent with each call (tests move it). */
  now?: () => number;
}

/** The object check() calls (see durable-object-store.ts): no identity's. */
const CHECK_OBJECT = "\u0000check";

/**
 * The Workers backend of writes (DESIGN §13): each identity's Idempotency-Key answers in its
 * ReadStateObject's SQLite storage, where that identity's marks already run one at a time; and
 * a write announced to that object, which holds the identity's streams. Input is checked here
 * and again in the object. An isolate hears no announcements: its lists see other isolates'
 * writes at their next refresh.
 */
export function createDurableObjectWriteStore(
  namespace: DurableObjectNamespace<ReadStateObject>,
  options: DurableObjectWriteStoreOptions = {},
): WriteStore {
  const now = options.now ?? Date.now;
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
    kind: "durable_object",
    durable: true,
    async claim(identity, key, fingerprint, times) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const checked = checkTimes(times);
      return call<Claim>(id, (stub) => stub.claimWrite(k, print, now(), checked));
    },
    async complete(identity, key, fingerprint, answer, ttlMs) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      const stored = checkAnswer(answer);
      const ttl = checkTtl(ttlMs);
      await call<boolean>(id, (stub) => stub.completeWrite(k, print, stored, now(), ttl));
    },
    async release(identity, key, fingerprint) {
      const id = checkWriteIdentity(identity);
      const k = checkIdempotencyKey(key);
      const print = checkFingerprint(fingerprint);
      await call<boolean>(id, (stub) => stub.releaseWrite(k, print));
    },
    async announce(announcement) {
      const checked = checkAnnouncement(announcement);
      await call<boolean>(checked.identity, (stub) => stub.announceWrite(checked));
    },
    subscribe: () => () => {},
    async check() {
      await call<boolean>(CHECK_OBJECT, (stub) => stub.ping());
    },
    async close() {
      closed = true;
    },
  };
}
