import type { z } from "zod";
import {
  duplicateNameProblems,
  nodeOnlyKindProblem,
  nodeOnlySourceIndexes,
  stateKindProblems,
} from "./runtime-rules.js";
import { type Config, ConfigSchema } from "./schema.js";

/** A config that failed validation: one line per bad field. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    readonly origin: string,
    readonly problems: string[],
  ) {
    super(`invalid config (${origin}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".");
  return `${path}: ${issue.message}`;
}

export type Runtime = "node" | "worker";

/** Validates a config object, filling defaults; throws ConfigError naming every bad field. */
export function parseConfig(input: unknown, origin = "config", runtime: Runtime = "node"): Config {
  // On Workers a disk-reading source gets its own message instead of "invalid kind".
  const refused = runtime === "worker" ? nodeOnlySourceIndexes(input) : [];
  const result = ConfigSchema.safeParse(input);
  const schemaProblems = result.success
    ? []
    : result.error.issues
        .filter(
          (issue) => !(issue.path[0] === "sources" && refused.includes(issue.path[1] as number)),
        )
        .map(describeIssue);
  const problems = [
    ...refused.map((index) => nodeOnlyKindProblem(input, index)),
    ...schemaProblems,
    ...duplicateNameProblems(input),
    ...stateKindProblems(input, runtime),
  ];
  if (problems.length > 0 || !result.success) throw new ConfigError(origin, problems);
  return result.data;
}

/** Parses config from JSON text (a file's contents or an environment variable). */
export function parseConfigJson(text: string, origin: string, runtime: Runtime = "node"): Config {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(origin, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(input, origin, runtime);
}
