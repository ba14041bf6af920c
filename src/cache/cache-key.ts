/** Lower-case hex SHA-256 of a string, with Web Crypto so it runs on Node and Workers alike. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
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
  const scopeText = Object.keys(scope)
    .sort()
    .map((name) => `${name}=${JSON.stringify(scope[name])}`)
    .join("&");
  return `${source}|${scopeText}|${credentialHash ?? "-"}`;
}
