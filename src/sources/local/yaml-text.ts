import { LRUCache } from "lru-cache";
import { parse } from "yaml";

/*
 * YAML from the local disk, which any local user may write: the parser's cost grows fast with
 * what a file holds (measured on this project's machine: 1,000 nested `[` take 50–100 ms, 8,000
 * exhaust the heap compiling a regular expression; 240 KB of flat `key: value` lines take
 * 1.5 s). So a text is looked at before it is parsed — too deep or too long for what these files
 * hold is refused without parsing — and whatever is parsed is parsed by a YamlParse, which on
 * Node runs off the event loop once a text is long enough to matter.
 */

/** Deepest nesting accepted, in flow brackets (`[`, `{`) or in block indentation levels. Viben's
 * and the tools' files nest three or four levels. */
export const MAX_YAML_NESTING = 32;
/** Longest YAML text parsed (JSON, which Viben writes into its .yaml files, has no such cap). */
export const MAX_YAML_BYTES = 64 * 1024;

/** Parses one YAML document; undefined when the text is refused or is not YAML. */
export type YamlParse = (text: string) => Promise<unknown>;

/** Why `text` is not given to the YAML parser, or null when it may be. Linear in its length. */
export function yamlRefusal(text: string): string | null {
  if (text.length > MAX_YAML_BYTES) return `longer than ${MAX_YAML_BYTES} characters`;
  return nestingRefusal(text);
}

/** Why `text` nests too deep to be parsed (as YAML, or as JSON: the flow brackets are JSON's
 * arrays and objects), or null. */
export function nestingRefusal(text: string): string | null {
  let flow = 0;
  let quote = "";
  const indents: number[] = [];
  let lineStart = true;
  let indent = 0;
  let dashes = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (lineStart) {
      // Block nesting: the line's indentation level, plus the compact sequences (`- - a`)
      // that nest without indenting.
      if (char === " " || char === "-") {
        if (char === " ") indent++;
        else if (text[index + 1] === " ") dashes++;
        else lineStart = false;
        if (lineStart) continue;
      }
      lineStart = false;
      if (char !== "\n" && char !== "#") {
        while (indents.length > 0 && (indents.at(-1) as number) >= indent) indents.pop();
        indents.push(indent);
        if (indents.length + dashes > MAX_YAML_NESTING)
          return `nested deeper than ${MAX_YAML_NESTING}`;
      }
    }
    if (char === "\n") {
      lineStart = true;
      indent = 0;
      dashes = 0;
      // A quoted scalar over several lines is counted as if it ended here: its brackets then
      // count, which can only refuse more, never less.
      quote = "";
      continue;
    }
    if (quote !== "") {
      if (char === "\\" && quote === '"') index++;
      else if (char === quote) quote = "";
      continue;
    }
    if (char === '"' || char === "'") quote = char;
    else if (char === "[" || char === "{") {
      if (++flow > MAX_YAML_NESTING) return `nested deeper than ${MAX_YAML_NESTING}`;
    } else if ((char === "]" || char === "}") && flow > 0) flow--;
  }
  return null;
}

/** The guarded parse, here and now: for short texts, and inside the Node entry's worker. */
export function parseYamlNow(text: string): unknown {
  if (yamlRefusal(text) !== null) return undefined;
  try {
    return parse(text, { maxAliasCount: 50 });
  } catch {
    return undefined;
  }
}

/** A YamlParse on the calling thread: tests, and texts too short to be worth a worker. */
export const parseYamlHere: YamlParse = async (text) => parseYamlNow(text);

/**
 * `parseYaml` with its results kept by text, bounded in bytes: the scanner hands back one
 * cached string for an unchanged file, so a warm scan parses nothing. The value is shared:
 * callers only read it.
 */
export function cachedYamlParse(parseYaml: YamlParse, maxBytes = 16 * 1024 * 1024): YamlParse {
  const parsed = new LRUCache<string, { value: unknown }>({
    maxSize: maxBytes,
    sizeCalculation: (entry, text) => 128 + text.length * (entry.value === undefined ? 2 : 4),
  });
  return async (text) => {
    const cached = parsed.get(text);
    if (cached !== undefined) return cached.value;
    const value = await parseYaml(text);
    parsed.set(text, { value });
    return value;
  };
}
