import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";

/**
 * Lower-case hex SHA-256 of a string. Synchronous (audited pure JS from @noble/hashes) and the
 * same on Node and Workers: Web Crypto's digest is asynchronous and, on Node, a thread-pool round
 * trip on every request, which showed up as added latency on the hot path.
 */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/**
 * The key of one source's result: the source name, exactly the request values that vary its
 * upstream call, and the hash of the credential it forwards (never the credential itself).
 */
export function sourceCacheKey(
  source: string,
  scope: Record<string, string | boolean | null>,
  credentialHash: string | null,
): string {
  // The same text as Object.keys(scope).sort().map(...).join("&"), without the arrays: this
  // runs for every source of every request and every live refresh.
  const names = Object.keys(scope);
  if (names.length > 1) names.sort();
  let scopeText = "";
  for (const name of names)
    scopeText += `${scopeText === "" ? "" : "&"}${name}=${JSON.stringify(scope[name])}`;
  return `${source}|${scopeText}|${credentialHash ?? "-"}`;
}
