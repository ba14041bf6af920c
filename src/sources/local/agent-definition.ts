import type { YamlParse } from "./yaml-text.js";

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
  /** The system prompt (AGENTS.md's body); null from a config.yaml. */
  prompt: string | null;
}

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
  const text = content.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  if (!OPENING.test(text)) return { fields: {}, prompt: text };
  const match = FRONT_MATTER.exec(text);
  if (match === null) return null;
  const fields = await parseYaml(match[1] ?? "");
  // A front matter of nothing (or only comments) is the YAML document null.
  if (fields === null) return { fields: {}, prompt: text.slice(match[0].length) };
  return isMapping(fields) ? { fields, prompt: text.slice(match[0].length) } : null;
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
