import { LRUCache } from "lru-cache";
import { toEpochMs } from "../../core/timestamps.js";
import { nestingRefusal, type YamlParse } from "./yaml-text.js";

/*
 * Viben's `.yaml` files: current versions write JSON into them, older ones wrote YAML. JSON is
 * tried first and YAML only when that fails, because the YAML parser reads most JSON but not
 * all of it: it refuses duplicate keys, which JSON.parse accepts (the last one wins).
 */

export type VibenMapping = Record<string, unknown>;

/**
 * The parsed document, or undefined when the text is neither JSON nor YAML, or nests too deep
 * to be parsed (see yaml-text.ts). `parseYaml` parses what is not JSON.
 */
export async function parseVibenDocument(text: string, parseYaml: YamlParse): Promise<unknown> {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (nestingRefusal(body) !== null) return undefined;
  const start = body.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      return JSON.parse(body);
    } catch {
      // an older YAML flow document, or a broken one: the YAML parser decides
    }
  }
  return parseYaml(body);
}

export const isMapping = (value: unknown): value is VibenMapping =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const text = (value: unknown) =>
  typeof value === "string" && value.trim() !== "" ? value : null;

/** The first readable timestamp among `names`: Viben's spellings vary between versions
 * (`updated_at` or `updatedAt`, `joinedAt` or `joined_at`). */
export function firstTime(document: VibenMapping, ...names: string[]): number | null {
  for (const name of names) {
    const at = toEpochMs(document[name]);
    if (at !== null) return at;
  }
  return null;
}

/**
 * Parsed documents by their text: the scanner hands back one cached string for a file that has
 * not changed, however many paths name it (hard links, symlinked workspaces), so a warm scan
 * parses nothing, and a string key costs a pointer comparison (V8 keeps a string's hash in it).
 * Bounded in bytes; `onUnreadable` hears of a text that is neither JSON nor YAML once while it is
 * cached, not on every scan.
 */
export function createDocumentCache(
  onUnreadable: (path: string) => void,
  parseYaml: YamlParse,
  maxBytes = 32 * 1024 * 1024,
) {
  const parsed = new LRUCache<string, { value: unknown }>({
    maxSize: maxBytes,
    // The text is the key (shared with the scanner's cache while both hold it); a parsed value
    // is about as big as its text, a refused one (undefined) nothing.
    sizeCalculation: (entry, text) => 128 + text.length * (entry.value === undefined ? 2 : 4),
  });
  return async function parseCached(path: string, content: string): Promise<unknown> {
    const cached = parsed.get(content);
    if (cached !== undefined) return cached.value;
    const value = await parseVibenDocument(content, parseYaml);
    if (value === undefined) onUnreadable(path);
    parsed.set(content, { value });
    return value;
  };
}
