import { LRUCache } from "lru-cache";
import { MAX_YAML_BYTES, type YamlParse } from "./yaml-text.js";

/*
 * What a Viben agent folder says about its agent, in either layout:
 *
 *   <agent dir>/AGENTS.md     current Viben: YAML front matter between `---` lines (name,
 *                             description, model, provider, executorType, isTemplate,
 *                             created_at, updated_at...), then the system prompt as markdown
 *   <agent dir>/config.yaml   older versions: the same fields as a YAML mapping, no prompt
 */

export type YamlMapping = Record<string, unknown>;

export interface AgentDefinition {
  /** The front matter, or config.yaml's mapping. */
  fields: YamlMapping;
  /** The start of the system prompt (AGENTS.md's body, its first PROMPT_HEAD characters: all a
   * description needs); null from a config.yaml. */
  prompt: string | null;
}

/** What is kept of a prompt: enough for its first 100 characters once whitespace is squeezed. */
const PROMPT_HEAD = 4096;

const isMapping = (value: unknown): value is YamlMapping =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A YAML mapping (a session's or an older agent's config.yaml); null when `text` is not YAML
 * (or refused: see yaml-text.ts), or not a mapping. */
export async function parseYamlMapping(
  text: string,
  parseYaml: YamlParse,
): Promise<YamlMapping | null> {
  const value = await parseYaml(text);
  return isMapping(value) ? value : null;
}

const OPENING = /^---[ \t]*\n/;
// The front matter runs from the opening line to the first line that is `---` alone.
const FRONT_MATTER = /^---[ \t]*\n([\s\S]*?\n)?---[ \t]*(?:\n|$)/;

/**
 * An AGENTS.md: its front matter's fields and its body as the prompt. A file that does not open
 * with a `---` line has no front matter: all of it is the prompt. Null when the front matter is
 * broken — never closed, not YAML, or YAML but not a mapping; an empty one is an empty mapping.
 * A byte order mark and CRLF line endings are accepted.
 */
export async function parseAgentsMd(
  content: string,
  parseYaml: YamlParse,
): Promise<AgentDefinition | null> {
  // Only what a front matter (at most MAX_YAML_BYTES) and a description can use is looked at:
  // a file of any size costs the same.
  const text = content
    .slice(0, MAX_YAML_BYTES + PROMPT_HEAD + 16)
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n");
  const head = (from: number) => text.slice(from, from + PROMPT_HEAD);
  if (!OPENING.test(text)) return { fields: {}, prompt: head(0) };
  const match = FRONT_MATTER.exec(text);
  if (match === null) return null;
  const fields = await parseYaml(match[1] ?? "");
  // A front matter of nothing (or only comments) is the YAML document null.
  if (fields === null) return { fields: {}, prompt: head(match[0].length) };
  return isMapping(fields) ? { fields, prompt: head(match[0].length) } : null;
}

/**
 * parseAgentsMd with its results kept by the file's text (the scanner hands back one cached
 * string for an unchanged file, whatever path names it), bounded in bytes: a warm scan of a
 * folder of agents parses nothing.
 */
export function cachedAgentsMdParse(parseYaml: YamlParse, maxBytes = 8 * 1024 * 1024) {
  const parsed = new LRUCache<string, { definition: AgentDefinition | null }>({
    maxSize: maxBytes,
    // The text itself is the scanner's (shared); what is kept here is a prompt's head and
    // a few fields.
    sizeCalculation: (value) => 1024 + (value.definition?.prompt?.length ?? 0) * 2,
  });
  return async (content: string): Promise<AgentDefinition | null> => {
    const cached = parsed.get(content);
    if (cached !== undefined) return cached.definition;
    const definition = await parseAgentsMd(content, parseYaml);
    parsed.set(content, { definition });
    return definition;
  };
}

/**
 * An agent's description when its definition gives none: the first `length` characters of its
 * prompt, with every run of whitespace (newlines included) made one space, so a prompt's
 * markdown layout does not reach a one-line list row nor spend the characters. Characters are
 * code points, so an emoji is never cut in half. Null for a blank prompt.
 */
export function describePrompt(prompt: string, length = 100): string | null {
  const flat = prompt.replace(/\s+/g, " ").trim();
  return flat === "" ? null : Array.from(flat).slice(0, length).join("").trimEnd();
}
