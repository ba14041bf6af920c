/**
 * The paths the gateway answers itself (DESIGN §1 "Other routes"), whatever the method: with a
 * backend configured, every other path goes to it (§12). `/health` stays the gateway's, since
 * Viben's desktop finds its gateway by probing it.
 */
const OWN_PATHS = new Set([
  "/api/chat-list",
  "/health",
  "/healthz",
  "/readyz",
  "/metrics",
  "/openapi.json",
  "/docs",
]);
const OWN_PREFIXES = ["/api/chat-list/", "/docs/"];

/** Whether `path` (a URL's normalized pathname) is one of the gateway's own routes. */
export function isGatewayPath(path: string): boolean {
  return OWN_PATHS.has(path) || OWN_PREFIXES.some((prefix) => path.startsWith(prefix));
}
