/** Source kinds that read the local disk: they exist only in the Node gateway. */
export const NODE_ONLY_KINDS = ["local_group_chats", "local_executors", "local_agents"] as const;

type RawSources = Array<{ kind?: unknown; name?: unknown } | null>;

function rawSources(input: unknown): RawSources {
  const sources = (input as { sources?: unknown } | null)?.sources;
  return Array.isArray(sources) ? (sources as RawSources) : [];
}

/** Indexes of sources whose kind reads the local disk (refused on Workers). */
export function nodeOnlySourceIndexes(input: unknown): number[] {
  return rawSources(input).flatMap((source, index) =>
    typeof source?.kind === "string" && (NODE_ONLY_KINDS as readonly string[]).includes(source.kind)
      ? [index]
      : [],
  );
}

export function nodeOnlyKindProblem(input: unknown, index: number): string {
  const kind = String(rawSources(input)[index]?.kind);
  return `sources.${index}.kind: "${kind}" reads the local disk and runs only in the Node gateway, not on Workers`;
}

/**
 * Source names used twice. Checked on the raw input, beside schema validation rather than inside
 * it, because zod skips refinements once any field has the wrong type and the config error must
 * list every bad field at once.
 */
export function duplicateNameProblems(input: unknown): string[] {
  const seen = new Set<string>();
  return rawSources(input).flatMap((source, index) => {
    const name = source?.name;
    if (typeof name !== "string") return [];
    if (seen.has(name)) return [`sources.${index}.name: duplicate source name "${name}"`];
    seen.add(name);
    return [];
  });
}

const STATE_RUNTIMES: Record<string, "node" | "worker"> = {
  sqlite: "node",
  postgres: "node",
  durable_object: "worker",
};

/** A read-state backend the runtime cannot run: a file or a TCP client at the edge, a Durable
 * Object binding on Node. */
export function stateKindProblems(input: unknown, runtime: "node" | "worker"): string[] {
  const kind = (input as { state?: { kind?: unknown } } | null)?.state?.kind;
  const home = typeof kind === "string" ? STATE_RUNTIMES[kind] : undefined;
  if (home === undefined || home === runtime) return [];
  return home === "node"
    ? [`state.kind: "${kind}" runs only in the Node gateway; on Workers use "durable_object"`]
    : [`state.kind: "${kind}" needs a Workers binding; on Node use "sqlite" or "postgres"`];
}
