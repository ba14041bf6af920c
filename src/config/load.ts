import type { z } from "zod";
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

/** Validates a config object, filling defaults; throws ConfigError naming every bad field. */
export function parseConfig(input: unknown, origin = "config"): Config {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) throw new ConfigError(origin, result.error.issues.map(describeIssue));
  return result.data;
}

/** Parses config from JSON text (a file's contents or an environment variable). */
export function parseConfigJson(text: string, origin: string): Config {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(origin, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseConfig(input, origin);
}
