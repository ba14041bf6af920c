import { tempTree } from "../support/home-fixture.js";

/** An AGENTS.md as current Viben writes it: front matter, a blank line, the system prompt. */
export function agentsMd(fields: Record<string, string | boolean>, prompt: string): string {
  const lines = Object.entries(fields).map(([key, value]) =>
    typeof value === "string" ? `${key}: ${JSON.stringify(value)}` : `${key}: ${value}`,
  );
  return `---\n${lines.join("\n")}\n---\n\n${prompt}\n`;
}

/**
 * A home as a current Viben leaves it, agents in both layouts: a global `reviewer` and a
 * workspace `planner` from an older Viben (config.yaml), and a global `translator` and a
 * workspace `writer` it made since (AGENTS.md; the writer's front matter has no description).
 * Reading config.yaml alone finds two of the four.
 */
export function buildMixedVibenHome() {
  const home = tempTree();
  const workspace = home.dir("code/app");
  home.write(
    ".viben/agents/reviewer/config.yaml",
    "name: Reviewer\nmodel: claude-sonnet\nprovider: anthropic\n",
  );
  home.write(
    ".viben/agents/translator/AGENTS.md",
    agentsMd(
      {
        name: "Translator",
        description: "Translates UI strings",
        model: "gpt-5",
        provider: "openai",
        executorType: "CODEX",
        isTemplate: false,
        created_at: "2026-04-01T09:00:00.000Z",
        updated_at: "2026-04-02T09:00:00.000Z",
      },
      "You translate user interface strings.\n\nKeep placeholders such as {name} intact.",
    ),
  );
  home.write("code/app/.viben/agents/planner/config.yaml", "name: Planner\nprovider_id: openai\n");
  home.write(
    "code/app/.viben/agents/writer/AGENTS.md",
    agentsMd(
      { name: "Writer", model: "claude-opus", provider: "anthropic", executorType: "CLAUDE_CODE" },
      "# Writer\n\nYou write release notes for this repository, one short paragraph per change, in plain English.",
    ),
  );
  return { home, workspace };
}
