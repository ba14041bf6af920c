/** What the gateway calls itself in /health (Viben's desktop shows it when it diagnoses). */
export const GATEWAY_SERVICE = "chat-list-gateway";

/** package.json's version; a test keeps the two equal. Kept here, not read from the file, so
 * the Worker bundle needs no JSON import. */
export const GATEWAY_VERSION = "0.1.0";
