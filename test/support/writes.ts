/** A CiphertextV2 content whose ciphertext is random: a string no log, span or metric may hold.
 * (Web Crypto and btoa, so workerd runs it too.) */
export function ciphertext(epoch = 3): { content: string; ct: string } {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  const ct = btoa(String.fromCharCode(...bytes));
  return { content: JSON.stringify({ v: 2, epoch, ct }), ct };
}

export interface WriteOptions {
  psession?: string;
  key?: string;
  headers?: Record<string, string>;
}

/** POSTs JSON to the gateway as a user, optionally with an Idempotency-Key. */
export function postJson(base: string, path: string, body: unknown, options: WriteOptions = {}) {
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.psession === undefined ? {} : { cookie: `psession=${options.psession}` }),
      ...(options.key === undefined ? {} : { "idempotency-key": options.key }),
      ...options.headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The gateway's two writes, for a user of a test gateway. */
export function writesOf(base: string) {
  return {
    createChat: (body: unknown, options: WriteOptions = {}) =>
      postJson(base, "/api/chat-list/group-chats", body, options),
    send: (chatId: string, body: unknown, options: WriteOptions = {}) =>
      postJson(base, `/api/chat-list/group-chats/${chatId}/messages`, body, options),
  };
}
