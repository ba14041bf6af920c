/**
 * The WriteStore contract (DESIGN §13: idempotency answers in every state backend), as data, like
 * the read-marker contract: each case takes a store and a small context, and test files run the
 * cases against memory, sqlite and postgres on Node and the Durable Object inside workerd.
 */
import { assert } from "./contract-assert.js";
import { InvalidMarkerInputError, StoreUnavailableError } from "./read-marker-store.js";
import type { Claim, WriteAnnouncement, WriteStore } from "./write-store.js";

export interface WriteStoreContractContext {
  /** An identity no other case (and no other run sharing the backend) uses. */
  identity(label: string): string;
  /** Moves the time every store of the case reads (they are created with the context's clock). */
  advance(ms: number): void;
  /** Closes `store` and opens its location again, as a restart would. */
  reopen(store: WriteStore): Promise<WriteStore>;
  /** Another instance on the same location, which hears what `store` announces; absent for
   * backends with nobody to announce to (memory, sqlite). */
  peer?(): Promise<WriteStore>;
  /** Resolves once announcements made before the call have reached subscribers. */
  settle(store: WriteStore): Promise<void>;
}

export interface WriteStoreContractCase {
  name: string;
  run(store: WriteStore, ctx: WriteStoreContractContext): Promise<void>;
}

const FP = "a".repeat(64);
const OTHER_FP = "b".repeat(64);
const TIMES = { leaseMs: 60_000, ttlMs: 24 * 60 * 60 * 1000 };
const ANSWER = { status: 201, body: '{"id":"1710000000000-0","item":{"id":"gc-42"}}' };

const state = (claim: Claim) => claim.state;

export const writeStoreContract: readonly WriteStoreContractCase[] = [
  {
    name: "a free key is claimed once, and its answer is then replayed byte for byte",
    async run(store, ctx) {
      const me = ctx.identity("claim");
      assert.equal(await store.claim(me, "k-1", FP, TIMES), { state: "claimed" }, "first claim");
      await store.complete(me, "k-1", FP, ANSWER, TIMES.ttlMs);
      assert.equal(
        await store.claim(me, "k-1", FP, TIMES),
        { state: "done", answer: ANSWER },
        "a retry gets the answer",
      );
      const unicode = { status: 409, body: '{"detail":"é — 𝄞 \\u0000-free"}' };
      await store.claim(me, "k-2", FP, TIMES);
      await store.complete(me, "k-2", FP, unicode, TIMES.ttlMs);
      assert.equal(
        await store.claim(me, "k-2", FP, TIMES),
        { state: "done", answer: unicode },
        "any status and any text come back unchanged",
      );
    },
  },
  {
    name: "a key in flight is in_progress for the same body and a mismatch for another",
    async run(store, ctx) {
      const me = ctx.identity("in-flight");
      await store.claim(me, "k", FP, TIMES);
      assert.equal(state(await store.claim(me, "k", FP, TIMES)), "in_progress", "same body");
      assert.equal(state(await store.claim(me, "k", OTHER_FP, TIMES)), "mismatch", "other body");
      await store.complete(me, "k", OTHER_FP, ANSWER, TIMES.ttlMs);
      assert.equal(
        state(await store.claim(me, "k", FP, TIMES)),
        "in_progress",
        "another body's complete does not answer the claim",
      );
    },
  },
  {
    name: "an answered key is a mismatch for another body and stays answered",
    async run(store, ctx) {
      const me = ctx.identity("answered");
      await store.claim(me, "k", FP, TIMES);
      await store.complete(me, "k", FP, ANSWER, TIMES.ttlMs);
      assert.equal(state(await store.claim(me, "k", OTHER_FP, TIMES)), "mismatch", "other body");
      await store.release(me, "k", FP);
      assert.equal(
        await store.claim(me, "k", FP, TIMES),
        { state: "done", answer: ANSWER },
        "a release cannot free an answered key",
      );
    },
  },
  {
    name: "release frees a pending key for the next claim, and only its own",
    async run(store, ctx) {
      const me = ctx.identity("release");
      await store.claim(me, "k", FP, TIMES);
      await store.release(me, "k", OTHER_FP);
      assert.equal(state(await store.claim(me, "k", FP, TIMES)), "in_progress", "still held");
      await store.release(me, "k", FP);
      assert.equal(state(await store.claim(me, "k", OTHER_FP, TIMES)), "claimed", "free again");
    },
  },
  {
    name: "a claim whose lease ran out is taken over, and its holder's late answer is not kept",
    async run(store, ctx) {
      const me = ctx.identity("lease");
      await store.claim(me, "k", FP, TIMES);
      ctx.advance(TIMES.leaseMs - 1);
      assert.equal(state(await store.claim(me, "k", FP, TIMES)), "in_progress", "within lease");
      ctx.advance(1);
      assert.equal(state(await store.claim(me, "k", OTHER_FP, TIMES)), "claimed", "taken over");
      await store.complete(me, "k", FP, { status: 201, body: "{}" }, TIMES.ttlMs);
      await store.complete(me, "k", OTHER_FP, ANSWER, TIMES.ttlMs);
      assert.equal(
        await store.claim(me, "k", OTHER_FP, TIMES),
        { state: "done", answer: ANSWER },
        "the new holder's answer",
      );
    },
  },
  {
    name: "an answer is kept for its ttl and forgotten after",
    async run(store, ctx) {
      const me = ctx.identity("ttl");
      await store.claim(me, "k", FP, TIMES);
      ctx.advance(30_000);
      await store.complete(me, "k", FP, ANSWER, TIMES.ttlMs);
      ctx.advance(TIMES.ttlMs - 1);
      assert.equal(state(await store.claim(me, "k", FP, TIMES)), "done", "24 h less 1 ms after");
      ctx.advance(1);
      assert.equal(state(await store.claim(me, "k", OTHER_FP, TIMES)), "claimed", "then free");
    },
  },
  {
    name: "identities and keys are isolated",
    async run(store, ctx) {
      const ana = ctx.identity("ana");
      const bo = ctx.identity("bo");
      await store.claim(ana, "k", FP, TIMES);
      await store.complete(ana, "k", FP, ANSWER, TIMES.ttlMs);
      assert.equal(state(await store.claim(bo, "k", OTHER_FP, TIMES)), "claimed", "bo's own key");
      assert.equal(
        state(await store.claim(ana, "K", OTHER_FP, TIMES)),
        "claimed",
        "keys are exact",
      );
      assert.equal(state(await store.claim(ana, "k", FP, TIMES)), "done", "ana's answer kept");
    },
  },
  {
    name: "of concurrent claims of one key exactly one is claimed",
    async run(store, ctx) {
      const me = ctx.identity("race");
      const claims = await Promise.all(
        Array.from({ length: 25 }, (_, i) => store.claim(me, "k", i % 2 ? FP : OTHER_FP, TIMES)),
      );
      const won = claims.filter((claim) => claim.state === "claimed").length;
      assert.equal(won, 1, "one winner");
      assert.ok(
        claims.every((claim) => ["claimed", "in_progress", "mismatch"].includes(claim.state)),
        "the others see it in flight (or another body's)",
      );
    },
  },
  {
    name: "answers survive a restart (memory is not durable and says so)",
    async run(store, ctx) {
      const me = ctx.identity("restart");
      await store.claim(me, "k", FP, TIMES);
      await store.complete(me, "k", FP, ANSWER, TIMES.ttlMs);
      const reopened = await ctx.reopen(store);
      const after = await reopened.claim(me, "k", FP, TIMES);
      if (!store.durable) {
        assert.equal(
          { kind: store.kind, after },
          { kind: "memory", after: { state: "claimed" } },
          "only memory forgets",
        );
        return;
      }
      assert.equal(after, { state: "done", answer: ANSWER }, "the answer is back");
    },
  },
  {
    name: "bad input is refused and nothing is stored",
    async run(store, ctx) {
      const me = ctx.identity("input");
      const bad: Array<[string, () => Promise<unknown>]> = [
        ["an empty key", () => store.claim(me, "", FP, TIMES)],
        ["a key of 65 characters", () => store.claim(me, "k".repeat(65), FP, TIMES)],
        ["a key with a space", () => store.claim(me, "a b", FP, TIMES)],
        ["a key with a slash", () => store.claim(me, "a/b", FP, TIMES)],
        ["an identity with NUL", () => store.claim("x\u0000", "k", FP, TIMES)],
        ["a fingerprint that is not hex", () => store.claim(me, "k", "zz".repeat(16), TIMES)],
        ["a negative lease", () => store.claim(me, "k", FP, { leaseMs: -1, ttlMs: 1 })],
        ["a status of 42", () => store.complete(me, "k", FP, { status: 42, body: "" }, 1)],
        [
          "a body over 64 KiB",
          () => store.complete(me, "k", FP, { status: 201, body: "x".repeat(65 * 1024) }, 1),
        ],
      ];
      for (const [what, call] of bad)
        await assert.rejects(call(), InvalidMarkerInputError, `refuses ${what}`);
      assert.equal(state(await store.claim(me, "k", FP, TIMES)), "claimed", "k is still free");
    },
  },
  {
    name: "a closed store refuses every call with StoreUnavailableError",
    async run(store, ctx) {
      const me = ctx.identity("closed");
      await store.check();
      await store.close();
      await assert.rejects(store.claim(me, "k", FP, TIMES), StoreUnavailableError, "claim");
      await assert.rejects(
        store.complete(me, "k", FP, ANSWER, 1),
        StoreUnavailableError,
        "complete",
      );
      await assert.rejects(store.release(me, "k", FP), StoreUnavailableError, "release");
      await assert.rejects(store.check(), StoreUnavailableError, "check");
      await store.close();
    },
  },
  {
    name: "an announcement reaches the other instances, not the one that made it",
    async run(store, ctx) {
      const me = ctx.identity("announce");
      const heard: WriteAnnouncement[] = [];
      const own: WriteAnnouncement[] = [];
      const offOwn = store.subscribe((announcement) => {
        if (announcement.identity === me) own.push(announcement);
      });
      const peer = await ctx.peer?.();
      const offPeer = peer?.subscribe((announcement) => {
        if (announcement.identity === me) heard.push(announcement);
      });
      try {
        await ctx.settle(store);
        if (peer !== undefined) await ctx.settle(peer);
        const announcement = {
          identity: me,
          effect: { kind: "chat_created", item: { id: "gc-7" } },
        };
        await store.announce(announcement);
        if (peer !== undefined) await ctx.settle(peer);
        await ctx.settle(store);
        assert.equal(own, [], "the announcer does not hear itself");
        assert.equal(heard, peer === undefined ? [] : [announcement], "a peer hears it once");
      } finally {
        offOwn();
        offPeer?.();
        await peer?.close();
      }
    },
  },
];
