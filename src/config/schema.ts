import { z } from "zod";

const SourceName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, "letters, digits, '_', '.', '-' (at most 63)");

const HttpUrl = z
  .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
  .transform((url) => url.replace(/\/+$/, ""));

const TimeoutMs = z.number().int().min(10).max(60_000);

const sourceBase = {
  name: SourceName,
  baseUrl: HttpUrl,
  timeoutMs: TimeoutMs.default(1500),
};

export const PortalSourceConfigSchema = z.strictObject({
  kind: z.literal("portal"),
  ...sourceBase,
  /** How long a session's identity (from /v1/users/me) is reused. */
  identityTtlMs: z.number().int().min(0).default(600_000),
  history: z
    .strictObject({
      /** History calls in flight at once for one request. */
      concurrency: z.number().int().min(1).max(32).default(4),
      /** How long one chat's last_active is reused before its history is asked again. */
      ttlMs: z.number().int().min(0).default(60_000),
      /** History calls one user (all of that user's sessions) may cause per minute. Two
       * thirds of the gateway's: a user alone has 100 chats dated within a minute, and the
       * gateway's budget is shared fairly between the users waiting for it, so one user's
       * allowance no longer starves another. */
      perUserPerMinute: z.number().int().min(0).default(60),
      /** History calls the whole gateway may make per minute: the portal allows ~120 calls per
       * minute per client address, list calls included. */
      perMinute: z.number().int().min(0).default(90),
      /** History calls one request may make: keeps a request within Workers' subrequest limit
       * (50 per invocation on the free plan) whatever the other budgets allow. */
      maxPerRequest: z.number().int().min(0).max(1000).default(20),
    })
    .prefault({}),
});

/** Per-item look-ups of the kinds that may list items without their counts. */
const sessionLookups = {
  /** Look-ups in flight at once. */
  sessionConcurrency: z.number().int().min(1).max(32).default(4),
  /** Look-ups one request may make: a listing of thousands of items without counts is counted
   * over several requests instead of fanning out thousands of calls in one. */
  sessionLookupsPerRequest: z.number().int().min(0).max(1000).default(20),
  /** How long one item's looked-up counts are reused before they are asked again. */
  sessionTtlMs: z.number().int().min(0).default(30_000),
};

export const ExecutorRegistryConfigSchema = z.strictObject({
  kind: z.literal("executor_registry"),
  ...sourceBase,
  ...sessionLookups,
});

export const AgentStoreConfigSchema = z.strictObject({
  kind: z.literal("agent_store"),
  ...sourceBase,
  ...sessionLookups,
});

/** Viben group chats from an HTTP store, such as a running Viben's own /api (DESIGN §7). Its
 * members and sessions look-ups share the session look-up settings. */
export const GroupChatStoreConfigSchema = z.strictObject({
  kind: z.literal("group_chat_store"),
  ...sourceBase,
  ...sessionLookups,
});

const AbsolutePath = z.string().regex(/^\//, "must be an absolute path");

/** Bounds of one scan of the local disk. */
const localScan = {
  name: SourceName,
  timeoutMs: TimeoutMs.default(1000),
  /** The home directory to scan; the OS home of the gateway's user when absent. */
  home: AbsolutePath.optional(),
  /** Directory entries looked at in one scan. */
  maxFilesPerScan: z.number().int().min(1).max(1_000_000).default(50_000),
  /** Bytes read from any one file. */
  maxBytesPerFile: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .default(256 * 1024),
  /** How long a count over an unchanged directory is reused before its files are re-checked. */
  fileRefreshMs: z.number().int().min(0).default(30_000),
};

export const LocalExecutorsConfigSchema = z.strictObject({
  kind: z.literal("local_executors"),
  ...localScan,
  /** Directories searched for executor binaries; the gateway's PATH when absent. */
  searchPath: z.array(AbsolutePath).optional(),
});

export const LocalAgentsConfigSchema = z.strictObject({
  kind: z.literal("local_agents"),
  ...localScan,
  /** When given, a workspace's .viben/agents is read only inside one of these; any workspace
   * is read when absent (callers are held at the door instead: DESIGN §10). */
  workspaceRoots: z.array(AbsolutePath).optional(),
});

/** Viben group chats on the local disk: `<home>/.viben/group-chats` and the workspace's own. */
export const LocalGroupChatsConfigSchema = z.strictObject({
  kind: z.literal("local_group_chats"),
  ...localScan,
  /** How long a chat's sessions are reused before their message logs are looked at again:
   * shorter than for the other local kinds, because a new agent message is an unread badge
   * that should not lag (an unchanged log is still never read again, only looked at). */
  fileRefreshMs: z.number().int().min(0).default(5000),
  /** When given, a workspace's .viben/group-chats is read only inside one of these; any
   * workspace is read when absent, as for local_agents. */
  workspaceRoots: z.array(AbsolutePath).optional(),
});

export const SourceConfigSchema = z.discriminatedUnion("kind", [
  PortalSourceConfigSchema,
  ExecutorRegistryConfigSchema,
  AgentStoreConfigSchema,
  GroupChatStoreConfigSchema,
  LocalExecutorsConfigSchema,
  LocalAgentsConfigSchema,
  LocalGroupChatsConfigSchema,
]);

export const CacheConfigSchema = z.strictObject({
  ttlMs: z.number().int().min(0).default(5000),
  staleIfErrorMs: z.number().int().min(0).default(300_000),
  maxEntries: z.number().int().min(1).default(10_000),
  maxBytes: z
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024),
  /** How long a 401/403 from an upstream is remembered for that credential. */
  unauthorizedTtlMs: z.number().int().min(0).default(5000),
});

export const UpstreamConfigSchema = z.strictObject({
  maxBodyBytes: z
    .number()
    .int()
    .min(1024)
    .default(2 * 1024 * 1024),
  /** Node only: pooled keep-alive connections per upstream origin. */
  connectionsPerOrigin: z.number().int().min(1).max(1024).default(32),
  /** Deepest nesting of arrays and objects accepted in an upstream body; deeper is a source
   * error, found before parsing (the contracts nest four or five levels). */
  maxJsonDepth: z.number().int().min(8).max(1024).default(64),
});

export const BreakerConfigSchema = z.strictObject({
  /** Consecutive failures of a source that stop calls to it for `cooldownMs`. */
  failureThreshold: z.number().int().min(1).default(5),
  cooldownMs: z.number().int().min(0).default(30_000),
});

export const RateLimitConfigSchema = z.strictObject({
  /** Requests one caller (credential hash, else client address) may make per minute; 0 = off. */
  perMinute: z.number().int().min(0).default(600),
  /** Requests a caller may make at once before the per-minute rate applies. */
  burst: z.number().int().min(1).default(60),
  /** Requests one client address may make per minute, whatever cookies it sends; 0 = off.
   * Higher than the per-session limit: several users may share an address. */
  addressPerMinute: z.number().int().min(0).default(3000),
  addressBurst: z.number().int().min(1).default(300),
});

/** A host name or IP literal as a Host header names it, without port: "gw.example.com",
 * "*.example.com" (any subdomain), "10.0.0.5", "[fd00::5]". */
const AllowedHost = z
  .string()
  .transform((host) => host.trim().toLowerCase())
  .pipe(
    z
      .string()
      .regex(
        /^(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$|^\[[0-9a-f:.]+\]$/,
        'a host name ("gw.example.com", "*.example.com") or IP literal, without scheme or port',
      ),
  );

/** An address or CIDR the Node entry trusts as a proxy; checked again there with proxy-addr. */
const TrustedProxy = z
  .string()
  .regex(
    /^([0-9a-fA-F:.]+(\/\d{1,3})?|loopback|linklocal|uniquelocal)$/,
    'an IP address, a CIDR such as "10.0.0.0/8", or one of "loopback", "linklocal", "uniquelocal"',
  );

export const HttpConfigSchema = z.strictObject({
  /** Origins allowed to call the API from a browser (CORS), e.g. "tauri://localhost". */
  corsOrigins: z.array(z.string().min(1)).default([]),
  /** Longest request URL accepted (path and query), in bytes. */
  maxUrlBytes: z.number().int().min(256).max(65_536).default(8192),
  /** What page cursors' AES-GCM key is derived from. Without it each process (each Worker
   * isolate) uses its own random key, so cursors do not survive a restart nor cross isolates:
   * set it on Workers and fleets. */
  cursorSecret: z.string().min(16).optional(),
  /** Host names answered besides loopback ones when listening on loopback (DNS rebinding
   * guard); on any other address, when set, the only hosts answered. */
  allowedHosts: z.array(AllowedHost).default([]),
  /** When set, every /api/* request needs `Authorization: Bearer <accessToken>`. */
  accessToken: z.string().min(32, "must be at least 32 characters").max(1024).optional(),
  /** Who may say who the client is in X-Forwarded-For: false (nobody: the socket's address), a
   * number of trusted proxy hops, or the trusted proxies' addresses and CIDRs. Node only. */
  trustProxy: z
    .union([z.literal(false), z.number().int().min(0).max(32), z.array(TrustedProxy).min(1)])
    .default(false),
});

/** Where read markers are kept (DESIGN §8); each runtime has its default (see state-kind.ts). */
export const StateConfigSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("sqlite"),
    /** The database file; $XDG_STATE_HOME/chat-list-gateway/state.sqlite when absent. */
    path: AbsolutePath.optional(),
  }),
  z.strictObject({
    kind: z.literal("postgres"),
    url: z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// connection URL" }),
  }),
  z.strictObject({ kind: z.literal("durable_object") }),
  z.strictObject({ kind: z.literal("memory") }),
]);

/** Live list streams (DESIGN §9). */
export const LiveConfigSchema = z.strictObject({
  /** How often a streamed list is collected again; cache.ttlMs when absent. */
  refreshMs: z.number().int().min(100).max(3_600_000).optional(),
  /** A stream gets at most one patch this often. */
  minIntervalMs: z.number().int().min(0).max(60_000).default(250),
  /** Streams one caller (session, else client address) may hold at once. */
  maxStreamsPerCaller: z.number().int().min(1).default(8),
  /** Streams one client address may hold at once, whatever cookies it sends: a client that
   * invents a new cookie per stream is still one address. */
  maxStreamsPerAddress: z.number().int().min(1).default(64),
  /** Streams the process (on Workers: each identity's object) holds at most. */
  maxStreams: z.number().int().min(1).default(10_000),
  /** How long a feed keeps its last versions after its last stream closed, so a client that
   * reconnects within it (Last-Event-ID) gets one patch instead of a snapshot; its loop and
   * watches stop at once. 0: none kept. */
  resumeMs: z.number().int().min(0).max(3_600_000).default(120_000),
});

/** DESIGN §12: the backend the gateway fronts; every path the gateway does not own goes there. */
export const ProxyConfigSchema = z.strictObject({
  /** The backend's origin, optionally with a path prefix; no query or fragment. */
  baseUrl: HttpUrl.refine((url) => !/[?#]/.test(url), "must have no query or fragment"),
  /** The backend must send its answer's headers within this (then 504); an answer being
   * streamed, or an open WebSocket, has no time limit. */
  timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
  /** Whether WebSocket upgrades are passed through too. */
  websocket: z.boolean().default(true),
});

export const ConfigSchema = z.strictObject({
  sources: z.array(SourceConfigSchema).default([]),
  deadlineMs: z.number().int().min(50).max(60_000).default(2000),
  cache: CacheConfigSchema.prefault({}),
  upstream: UpstreamConfigSchema.prefault({}),
  breaker: BreakerConfigSchema.prefault({}),
  rateLimit: RateLimitConfigSchema.prefault({}),
  http: HttpConfigSchema.prefault({}),
  state: StateConfigSchema.optional(),
  live: LiveConfigSchema.prefault({}),
  proxy: ProxyConfigSchema.optional(),
});

export type Config = z.infer<typeof ConfigSchema>;
export type SourceConfig = z.infer<typeof SourceConfigSchema>;
export type PortalSourceConfig = z.infer<typeof PortalSourceConfigSchema>;
export type ExecutorRegistryConfig = z.infer<typeof ExecutorRegistryConfigSchema>;
export type AgentStoreConfig = z.infer<typeof AgentStoreConfigSchema>;
export type LocalExecutorsConfig = z.infer<typeof LocalExecutorsConfigSchema>;
export type LocalAgentsConfig = z.infer<typeof LocalAgentsConfigSchema>;
export type GroupChatStoreConfig = z.infer<typeof GroupChatStoreConfigSchema>;
export type LocalGroupChatsConfig = z.infer<typeof LocalGroupChatsConfigSchema>;
/** The kinds that read this machine's disk, built by the Node runtime's local source factory. */
export type LocalSourceConfig = LocalExecutorsConfig | LocalAgentsConfig | LocalGroupChatsConfig;
export type SourceKind = SourceConfig["kind"];
export type StateConfig = z.infer<typeof StateConfigSchema>;
export type ProxyConfig = z.infer<typeof ProxyConfigSchema>;
