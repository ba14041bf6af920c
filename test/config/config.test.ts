import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseConfigJson } from "../../src/config/load.js";

/** Runs `fn`, expecting a ConfigError, and returns it. */
function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}

/** The field paths a ConfigError names, one per problem ("sources.0.baseUrl"). */
function problemPaths(error: ConfigError): string[] {
  return error.problems.map((problem) => problem.slice(0, problem.indexOf(":")));
}

const portal = { kind: "portal", name: "portal", baseUrl: "https://portal.example" };
const registry = {
  kind: "executor_registry",
  name: "executors",
  baseUrl: "http://127.0.0.1:18790/api",
};
const store = { kind: "agent_store", name: "agents", baseUrl: "http://127.0.0.1:18790/api" };
const sessionLookupDefaults = {
  sessionConcurrency: 4,
  sessionLookupsPerRequest: 20,
  sessionTtlMs: 30_000,
};

describe("parseConfig defaults", () => {
  it("fills every default into an empty object", () => {
    expect(parseConfig({})).toEqual({
      sources: [],
      deadlineMs: 2000,
      cache: {
        ttlMs: 5000,
        staleIfErrorMs: 300_000,
        maxEntries: 10_000,
        maxBytes: 64 * 1024 * 1024,
        unauthorizedTtlMs: 5000,
      },
      upstream: { maxBodyBytes: 2 * 1024 * 1024, connectionsPerOrigin: 32, maxJsonDepth: 64 },
      breaker: { failureThreshold: 5, cooldownMs: 30_000 },
      rateLimit: { perMinute: 600, burst: 60, addressPerMinute: 3000, addressBurst: 300 },
      http: { corsOrigins: [], maxUrlBytes: 8192, allowedHosts: [], trustProxy: false },
      live: {
        minIntervalMs: 250,
        maxStreamsPerCaller: 8,
        maxStreamsPerAddress: 64,
        maxStreams: 10_000,
        resumeMs: 120_000,
      },
    });
  });

  it("fills the cache defaults that a partial cache object leaves out", () => {
    expect(parseConfig({ cache: { ttlMs: 100 } }).cache).toEqual({
      ttlMs: 100,
      staleIfErrorMs: 300_000,
      maxEntries: 10_000,
      maxBytes: 64 * 1024 * 1024,
      unauthorizedTtlMs: 5000,
    });
  });

  it("fills a portal source's timeout and history budgets", () => {
    expect(parseConfig({ sources: [portal] }).sources[0]).toEqual({
      ...portal,
      timeoutMs: 1500,
      identityTtlMs: 600_000,
      history: {
        concurrency: 4,
        ttlMs: 60_000,
        perUserPerMinute: 60,
        perMinute: 90,
        maxPerRequest: 20,
      },
    });
  });

  it("fills an executor registry's timeout and session look-up bounds", () => {
    expect(parseConfig({ sources: [registry] }).sources[0]).toEqual({
      ...registry,
      timeoutMs: 1500,
      ...sessionLookupDefaults,
    });
  });

  it("fills a group chat store's timeout and session look-up bounds", () => {
    const chats = {
      kind: "group_chat_store",
      name: "chats",
      baseUrl: "http://127.0.0.1:18790/api/",
    };
    expect(parseConfig({ sources: [chats] }).sources[0]).toEqual({
      ...chats,
      baseUrl: "http://127.0.0.1:18790/api",
      timeoutMs: 1500,
      ...sessionLookupDefaults,
    });
  });

  it("fills local group chats' scan bounds and leaves workspaceRoots unset", () => {
    expect(
      parseConfig({ sources: [{ kind: "local_group_chats", name: "chats" }] }).sources[0],
    ).toEqual({
      kind: "local_group_chats",
      name: "chats",
      timeoutMs: 1000,
      maxFilesPerScan: 50_000,
      maxBytesPerFile: 256 * 1024,
      fileRefreshMs: 5000,
    });
  });

  it("keeps the sources in config order", () => {
    const names = parseConfig({ sources: [store, portal, registry] }).sources.map((s) => s.name);
    expect(names).toEqual(["agents", "portal", "executors"]);
  });

  it("accepts the example config of the design document", () => {
    const config = parseConfig({
      sources: [
        { ...portal, baseUrl: "https://portal-api.7331.org", timeoutMs: 1500 },
        { ...registry, name: "viben-executors", timeoutMs: 800 },
        { ...store, name: "viben-agents", timeoutMs: 800 },
      ],
      deadlineMs: 2000,
      cache: { ttlMs: 5000, staleIfErrorMs: 300000, maxEntries: 10000 },
    });
    expect(config.sources.map((s) => [s.kind, s.name, s.timeoutMs])).toEqual([
      ["portal", "portal", 1500],
      ["executor_registry", "viben-executors", 800],
      ["agent_store", "viben-agents", 800],
    ]);
  });
});

describe("parseConfig baseUrl", () => {
  it("removes a trailing slash", () => {
    const config = parseConfig({ sources: [{ ...registry, baseUrl: "http://127.0.0.1/api/" }] });
    expect(config.sources[0]).toMatchObject({ baseUrl: "http://127.0.0.1/api" });
  });

  it("removes several trailing slashes", () => {
    const config = parseConfig({ sources: [{ ...registry, baseUrl: "https://x.example//" }] });
    expect(config.sources[0]).toMatchObject({ baseUrl: "https://x.example" });
  });

  it.each([
    "ftp://files.example/api",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "ws://127.0.0.1:18790/api",
    "not a url",
    "/api",
  ])("rejects %s", (baseUrl) => {
    const error = configError(() => parseConfig({ sources: [{ ...registry, baseUrl }] }));
    expect(problemPaths(error)).toEqual(["sources.0.baseUrl"]);
  });
});

describe("parseConfig http: who may call", () => {
  it("lower-cases allowed hosts and keeps *. patterns and IPv6 literals", () => {
    const config = parseConfig({
      http: { allowedHosts: ["GW.Example.com", "*.corp.example", "[fd00::1]"] },
    });
    expect(config.http.allowedHosts).toEqual(["gw.example.com", "*.corp.example", "[fd00::1]"]);
  });

  it.each(["http://gw.example.com", "gw.example.com:8787", "", "a b", "*"])(
    "rejects the allowed host %j",
    (host) => {
      const error = configError(() => parseConfig({ http: { allowedHosts: [host] } }));
      expect(problemPaths(error)).toEqual(["http.allowedHosts.0"]);
    },
  );

  it.each([[false], [2], [["10.0.0.0/8", "::1", "loopback"]]])(
    "accepts trustProxy %j",
    (trustProxy) => {
      expect(parseConfig({ http: { trustProxy } }).http.trustProxy).toEqual(trustProxy);
    },
  );

  it.each([[true], [-1], [[]], [["10.0.0.0/8 "]], ["10.0.0.0/8"]])(
    "rejects trustProxy %j",
    (trustProxy) => {
      const error = configError(() => parseConfig({ http: { trustProxy } }));
      expect(problemPaths(error)[0]).toMatch(/^http\.trustProxy/);
    },
  );
});

describe("parseConfig rejects", () => {
  it("an unknown top-level key", () => {
    const error = configError(() => parseConfig({ deadlineMS: 100 }));
    expect(error.problems).toEqual([expect.stringMatching(/^\(root\): .*"deadlineMS"/)]);
  });

  it("an unknown key in a source", () => {
    const error = configError(() => parseConfig({ sources: [{ ...portal, timeout: 100 }] }));
    expect(error.problems).toEqual([expect.stringMatching(/^sources\.0: .*"timeout"/)]);
  });

  it("an unknown key in the cache section", () => {
    const error = configError(() => parseConfig({ cache: { ttl: 5 } }));
    expect(error.problems).toEqual([expect.stringMatching(/^cache: .*"ttl"/)]);
  });

  it("an unknown source kind", () => {
    const error = configError(() => parseConfig({ sources: [{ ...portal, kind: "ldap" }] }));
    expect(problemPaths(error)).toEqual(["sources.0.kind"]);
  });

  it("a source name that is not a token", () => {
    const error = configError(() => parseConfig({ sources: [{ ...portal, name: "my portal" }] }));
    expect(problemPaths(error)).toEqual(["sources.0.name"]);
  });

  it("a duplicate source name, naming the second occurrence", () => {
    const error = configError(() =>
      parseConfig({ sources: [registry, { ...store, name: "executors" }] }),
    );
    expect(error.problems).toEqual(['sources.1.name: duplicate source name "executors"']);
  });

  it("a source name used three times, once per repeat", () => {
    const error = configError(() =>
      parseConfig({
        sources: [portal, { ...registry, name: "portal" }, { ...store, name: "portal" }],
      }),
    );
    expect(problemPaths(error)).toEqual(["sources.1.name", "sources.2.name"]);
  });

  it("a deadline below its minimum", () => {
    const error = configError(() => parseConfig({ deadlineMs: 10 }));
    expect(problemPaths(error)).toEqual(["deadlineMs"]);
  });

  it("a timeout that is not an integer", () => {
    const error = configError(() => parseConfig({ sources: [{ ...portal, timeoutMs: 12.5 }] }));
    expect(problemPaths(error)).toEqual(["sources.0.timeoutMs"]);
  });

  it("sources that are not a list", () => {
    const error = configError(() => parseConfig({ sources: { portal } }));
    expect(problemPaths(error)).toEqual(["sources"]);
  });

  it("a config that is not an object", () => {
    const error = configError(() => parseConfig([portal]));
    expect(problemPaths(error)).toEqual(["(root)"]);
  });
});

describe("ConfigError lists every bad field at once", () => {
  it("names each bad field of a config with several mistakes", () => {
    const error = configError(() =>
      parseConfig({
        sources: [
          { ...portal, baseUrl: "ftp://portal.example", timeoutMs: 5 },
          { ...registry, kind: "nope" },
          { ...store, sessionConcurrency: 0 },
        ],
        deadlineMs: 1,
        cache: { ttlMs: -1, maxEntries: 0 },
        upstream: { maxBodyBytes: 10 },
        extra: true,
      }),
    );
    expect(problemPaths(error).sort()).toEqual(
      [
        "(root)",
        "cache.maxEntries",
        "cache.ttlMs",
        "deadlineMs",
        "sources.0.baseUrl",
        "sources.0.timeoutMs",
        "sources.1.kind",
        "sources.2.sessionConcurrency",
        "upstream.maxBodyBytes",
      ].sort(),
    );
  });

  it("reports a duplicate source name alongside an out-of-range field", () => {
    const error = configError(() =>
      parseConfig({ sources: [portal, { ...registry, name: "portal" }], deadlineMs: 1 }),
    );
    expect(problemPaths(error).sort()).toEqual(["deadlineMs", "sources.1.name"]);
  });

  it("reports a duplicate source name alongside a field of the wrong type", () => {
    const error = configError(() =>
      parseConfig({ sources: [portal, { ...registry, name: "portal" }], deadlineMs: "2000" }),
    );
    expect(problemPaths(error).sort()).toEqual(["deadlineMs", "sources.1.name"]);
  });

  it("puts every problem and the origin into one message", () => {
    const error = configError(() =>
      parseConfig({ deadlineMs: 1, cache: { ttlMs: -1 } }, "/etc/chat-list.json"),
    );
    expect(error.message).toBe(
      [
        "invalid config (/etc/chat-list.json):",
        ...error.problems.map((problem) => `  - ${problem}`),
      ].join("\n"),
    );
    expect(error.problems).toHaveLength(2);
  });

  it("is an Error named ConfigError that keeps its origin", () => {
    const error = configError(() => parseConfig({ deadlineMs: 1 }, "CHAT_LIST_CONFIG_JSON"));
    expect([error instanceof Error, error.name, error.origin]).toEqual([
      true,
      "ConfigError",
      "CHAT_LIST_CONFIG_JSON",
    ]);
  });
});

describe("parseConfigJson", () => {
  it("parses JSON text and fills defaults", () => {
    const config = parseConfigJson(JSON.stringify({ sources: [store] }), "env");
    expect(config.sources[0]).toEqual({ ...store, timeoutMs: 1500, ...sessionLookupDefaults });
  });

  it("turns invalid JSON into a ConfigError naming the origin", () => {
    const error = configError(() => parseConfigJson("{ sources: [", "CHAT_LIST_CONFIG_JSON"));
    expect([error.origin, error.problems.length]).toEqual(["CHAT_LIST_CONFIG_JSON", 1]);
    expect(error.problems[0]).toMatch(/^not valid JSON: /);
  });

  it("turns empty text into a ConfigError", () => {
    const error = configError(() => parseConfigJson("", "file"));
    expect(error.problems[0]).toMatch(/^not valid JSON/);
  });

  it("validates the parsed JSON like parseConfig", () => {
    const error = configError(() => parseConfigJson('{"deadlineMs": 1}', "file"));
    expect(problemPaths(error)).toEqual(["deadlineMs"]);
  });
});

describe("parseConfig state", () => {
  it("accepts each backend with its own keys", () => {
    expect(parseConfig({ state: { kind: "sqlite" } }).state).toEqual({ kind: "sqlite" });
    expect(
      parseConfig({ state: { kind: "sqlite", path: "/var/lib/gw/state.sqlite" } }).state,
    ).toEqual({ kind: "sqlite", path: "/var/lib/gw/state.sqlite" });
    expect(
      parseConfig({ state: { kind: "postgres", url: "postgres://gw@db:5432/gw" } }).state,
    ).toEqual({ kind: "postgres", url: "postgres://gw@db:5432/gw" });
    expect(parseConfig({ state: { kind: "memory" } }).state).toEqual({ kind: "memory" });
  });

  it("rejects a postgres backend without a postgres:// URL", () => {
    for (const url of [undefined, "http://db:5432/gw", "not a url"]) {
      const error = configError(() => parseConfig({ state: { kind: "postgres", url } }));
      expect(problemPaths(error)).toEqual(["state.url"]);
    }
  });

  it("refuses a backend its runtime cannot run, saying which one can", () => {
    const onWorkers = configError(() => parseConfig({ state: { kind: "sqlite" } }, "x", "worker"));
    expect(onWorkers.problems).toEqual([expect.stringMatching(/^state\.kind: .*durable_object/)]);
    const onNode = configError(() => parseConfig({ state: { kind: "durable_object" } }));
    expect(onNode.problems).toEqual([expect.stringMatching(/^state\.kind: .*"sqlite"/)]);
  });
});
