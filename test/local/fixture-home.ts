import { claudeDir, codexFirstLine, geminiHash, tempTree } from "../support/home-fixture.js";

/**
 * A home with sessions of three executors in two workspaces, global and workspace agents, a
 * broken YAML file, and symlinks that point outside. Returns the tree and its workspaces.
 */
export function buildFixtureHome() {
  const home = tempTree();
  const outside = tempTree("chat-list-outside-");
  const alpha = home.dir("code/alpha");
  const beta = home.dir("code/beta.v2");

  // Claude Code: two sessions in alpha, one in beta.
  home.write(`.claude/projects/${claudeDir(alpha)}/s1.jsonl`, "{}\n", "2026-03-01T10:00:00Z");
  home.write(`.claude/projects/${claudeDir(alpha)}/s2.jsonl`, "{}\n", "2026-03-05T10:00:00Z");
  home.write(`.claude/projects/${claudeDir(beta)}/s3.jsonl`, "{}\n", "2026-02-01T10:00:00Z");
  home.write(
    `.claude/projects/${claudeDir(alpha)}/notes.txt`,
    "not a session",
    "2026-12-01T00:00:00Z",
  );
  // Codex: one rollout in alpha, two in beta, on different days.
  home.write(
    ".codex/sessions/2026/03/02/rollout-2026-03-02T10-00-00-a.jsonl",
    codexFirstLine(alpha),
    "2026-03-02T11:00:00Z",
  );
  home.write(
    ".codex/sessions/2026/03/04/rollout-2026-03-04T10-00-00-b.jsonl",
    codexFirstLine(beta),
    "2026-03-04T11:00:00Z",
  );
  home.write(
    ".codex/sessions/2026/03/06/rollout-2026-03-06T10-00-00-c.jsonl",
    codexFirstLine(`${beta}/`),
    "2026-03-06T11:00:00Z",
  );
  // Gemini CLI: one chat in beta.
  home.write(
    `.gemini/tmp/${geminiHash(beta)}/chats/session-2026-03-07.json`,
    "{}",
    "2026-03-07T12:00:00Z",
  );
  // Outside the roots: a session store a symlink points at; it must never be counted.
  outside.write(`${claudeDir(alpha)}/stolen.jsonl`, "{}\n", "2026-04-01T00:00:00Z");
  outside.write("agents/evil/config.yaml", "name: Evil\n");
  home.link(
    `.claude/projects/${claudeDir(alpha)}/linked.jsonl`,
    outside.path(`${claudeDir(alpha)}/stolen.jsonl`),
  );
  home.link(".viben/agents/evil", outside.path("agents/evil"));

  // Viben agents: two global (one with a session), one broken, one shadowed in alpha.
  home.write(
    ".viben/agents/reviewer/config.yaml",
    "name: Reviewer\nmodel: claude-sonnet\nprovider: anthropic\n",
  );
  home.write(
    ".viben/agents/reviewer/.agent_sessions/r1/config.yaml",
    "created_at: 2026-01-01T00:00:00Z\nupdated_at: 2026-01-02T00:00:00Z\nlast_message_at: 2026-01-03T00:00:00Z\n",
  );
  home.write(".viben/agents/planner/config.yaml", "name: Planner\nprovider_id: openai\n");
  home.write(".viben/agents/broken/config.yaml", "name: [unclosed\n  model: : :\n");
  home.write(
    "code/alpha/.viben/agents/planner/config.yaml",
    "name: Alpha Planner\nmodel: local-model\n",
  );
  home.write(
    "code/alpha/.viben/agents/planner/.agent_sessions/p1/config.yaml",
    "created_at: 2026-03-10T00:00:00Z\n",
  );
  home.write(
    "code/alpha/.viben/agents/planner/.agent_sessions/p2/log.jsonl",
    "{}\n",
    "2026-03-11T00:00:00Z",
  );
  home.write(
    "code/alpha/.viben/agents/planner/.agent_sessions/p2/config.yaml",
    "title: no dates\n",
  );
  home.write("code/alpha/.viben/agents/planner/.agent_sessions/p3/log.jsonl", "{}\n"); // no config.yaml: not a session
  // beta's .viben is a symlink out of the workspace: not followed.
  home.link("code/beta.v2/.viben", outside.path(""));

  return { home, outside, alpha, beta };
}
