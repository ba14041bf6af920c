import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter } from "node:path";
import { DEFAULT_NODE_CONFIG } from "../../config/defaults.js";
import { ConfigError, parseConfig, parseConfigJson } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { createForwardedAddressResolver, type ForwardedAddressResolver } from "./client-address.js";

export interface NodeSettings {
  config: Config;
  configOrigin: string;
  port: number;
  host: string;
  /** The home directory local sources scan unless their config names one. */
  home: string;
  /** Where local sources look for executor binaries. */
  pathDirs: string[];
  /** The variables coding-agent CLIs read to move their data (passed to the local sources). */
  toolEnv: Record<string, string | undefined>;
  /** The client's address from the socket's and X-Forwarded-For, as http.trustProxy says. */
  clientAddress: ForwardedAddressResolver;
  /** Whether traces are exported: an OTLP endpoint is named (and OTEL_SDK_DISABLED is not
   * "true"). Only then is the OpenTelemetry SDK loaded. */
  exportTraces: boolean;
  /** The pid of the process this one should stop with (`CHAT_LIST_WATCH_PARENT`, set only by
   * the `npm start` launcher), or null: a gateway started any other way outlives its parent. */
  parentToWatch: number | null;
}

type Env = Record<string, string | undefined>;

const TOOL_ENV = ["CLAUDE_CONFIG_DIR", "CODEX_HOME", "QWEN_HOME", "COPILOT_HOME"];

/** Reads the config once: CHAT_LIST_CONFIG (a JSON file), else CHAT_LIST_CONFIG_JSON, else the
 * embedded defaults. Throws ConfigError listing every bad field. */
export function loadNodeConfig(env: Env): { config: Config; origin: string } {
  const file = env.CHAT_LIST_CONFIG;
  if (file !== undefined && file !== "") {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(`CHAT_LIST_CONFIG=${file}`, [
        `cannot read file: ${(error as NodeJS.ErrnoException).code ?? "error"}`,
      ]);
    }
    return { config: parseConfigJson(text, `CHAT_LIST_CONFIG=${file}`), origin: file };
  }
  const inline = env.CHAT_LIST_CONFIG_JSON;
  if (inline !== undefined && inline !== "")
    return {
      config: parseConfigJson(inline, "CHAT_LIST_CONFIG_JSON"),
      origin: "CHAT_LIST_CONFIG_JSON",
    };
  return {
    config: parseConfig(DEFAULT_NODE_CONFIG, "embedded defaults"),
    origin: "embedded defaults",
  };
}

export function loadNodeSettings(env: Env): NodeSettings {
  const loaded = loadNodeConfig(env);
  let config = loaded.config;
  const problems: string[] = [];
  const port = Number(env.PORT ?? "8787");
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    problems.push(`PORT: not a port number: ${env.PORT}`);
  const host = env.HOST ?? "127.0.0.1";
  if (host.trim() === "") problems.push("HOST: must not be empty");
  // The token may come from the environment, so it need not be written into a config file.
  const token = env.CHAT_LIST_ACCESS_TOKEN;
  if (token !== undefined && token !== "") {
    if (token.length < 32 || token.length > 1024)
      problems.push("CHAT_LIST_ACCESS_TOKEN: must be 32 to 1024 characters");
    else config = { ...config, http: { ...config.http, accessToken: token } };
  }
  let clientAddress: ForwardedAddressResolver = (socketAddress) => socketAddress;
  try {
    clientAddress = createForwardedAddressResolver(config.http.trustProxy);
  } catch (error) {
    problems.push(`http.trustProxy: ${(error as Error).message}`);
  }
  if (problems.length > 0) throw new ConfigError("environment", problems);
  const home = env.HOME !== undefined && env.HOME !== "" ? env.HOME : homedir();
  const pathDirs = (env.PATH ?? "").split(delimiter).filter((dir) => dir.startsWith("/"));
  const toolEnv = Object.fromEntries(TOOL_ENV.map((name) => [name, env[name]]));
  return {
    config,
    configOrigin: loaded.origin,
    port,
    host,
    home,
    pathDirs,
    toolEnv,
    clientAddress,
    exportTraces:
      env.OTEL_SDK_DISABLED !== "true" &&
      Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
    parentToWatch: /^[1-9]\d*$/.test(env.CHAT_LIST_WATCH_PARENT ?? "")
      ? Number(env.CHAT_LIST_WATCH_PARENT)
      : null,
  };
}
