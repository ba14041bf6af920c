import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../src/cache/cache-key.js";
import { nodeSha256Hex } from "../../src/runtime/node/sha256.js";

// The Node entry hashes sessions and list views with node:crypto, the Worker with @noble/hashes:
// the two must give the same digest for any text, or a cache key, an ETag or a rate-limit bucket
// would depend on the runtime.
describe("the Node entry's SHA-256", () => {
  it("gives @noble/hashes' digest for known vectors", () => {
    expect(nodeSha256Hex("")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(nodeSha256Hex("abc")).toBe(sha256Hex("abc"));
  });

  it("gives @noble/hashes' digest for any string, unicode and lone surrogates included", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(nodeSha256Hex(text)).toBe(sha256Hex(text));
      }),
      { numRuns: 500 },
    );
  });
});
