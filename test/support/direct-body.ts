/** A direct-path body as text: a list comes as UTF-8 bytes, a problem as text. */
export function bodyText(body: Uint8Array | string): string {
  return typeof body === "string" ? body : new TextDecoder().decode(body);
}
