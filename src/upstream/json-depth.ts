const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether a JSON text nests arrays and objects deeper than `maxDepth`, read from its bytes
 * before JSON.parse sees them: a megabyte of `[` parses into a million nested arrays (half a
 * second of CPU and 130 MB), while this one pass costs a few milliseconds and stops at the
 * first level too many. Brackets inside strings do not count; every byte of a multi-byte
 * UTF-8 character is above 0x7f, so none is taken for a quote or a bracket. It does not check
 * that the text is valid JSON: JSON.parse does that afterwards.
 */
export function nestedDeeperThan(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < bytes.length; index++) {
    const byte = bytes[index] as number;
    if (inString) {
      if (byte === BACKSLASH) index++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) inString = true;
    else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) depth--;
  }
  return false;
}
