import { LRUCache } from "lru-cache";
import { parse as parseYaml } from "yaml";
import { toEpochMs } from "../../core/timestamps.js";

/*
 * Viben's `.yaml` files: current versions write JSON into them, older ones wrote YAML. JSON is
 * tried first and YAML only when that fails, because the YAML parser reads most JSON but not
 * all of it: it refuses duplicate keys, which JSON.parse accepts (the last one wins).
 */

export type VibenMapping = Record<string, unknown>;

/** The parsed document, or undefined when the text is neither JSON nor YAML. */
export function parseVibenDocument(text: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const start = body.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      return JSON.parse(body);
    } catch {
      // an older YAML flow document, or a broken one: the YAML parser decides
    }
  }
  try {
    return parseYaml(body, { maxAliasCount: 50 });
  } catch {
    return undefined;
  }
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
 * Parsed documents by path, reused while the file's text is the very text parsed last time
 * (the scanner hands back its cached string for an unchanged file), so a warm scan parses
 * nothing. `onUnreadable` hears of a file that is neither JSON nor YAML once per version of it,
 * not on every scan.
 */
export function createDocumentCache(onUnreadable: (path: string) => void, maxEntries = 100_000) {
  const parsed = new LRUCache<string, { text: string; value: unknown }>({ max: maxEntries });
  return function parseCached(path: string, content: string): unknown {
    const cached = parsed.get(path);
    if (cached !== undefined && cached.text === content) return cached.value;
    const value = parseVibenDocument(content);
    if (value === undefined) onUnreadable(path);
    parsed.set(path, { text: content, value });
    return value;
  };
}
