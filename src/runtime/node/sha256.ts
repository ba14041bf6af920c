import { hash } from "node:crypto";

/** SHA-256 of a string (UTF-8) as lower-case hex, by Node's native implementation: the same
 * digest as @noble/hashes' pure-JS one (cache/cache-key.ts), several times faster. */
export function nodeSha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}
