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
import { objectCalls } from "./object-calls.js";
import type { ReadStateObject } from "./read-state-object.js";

export interface DurableObjectWriteStoreOptions {
  /** Epoch ms, sent with each call (tests move it). */
  now?: () => number;
}

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
  const { call, check, close } = objectCalls(namespace);

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
    check,
    close,
  };
}
