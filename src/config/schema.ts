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
  history: z
    .strictObject({
      /** History calls in flight at once for one request. */
      concurrency: z.number().int().min(1).max(32).default(4),
      /** How long one chat's last_active is reused before its history is asked again. */
      ttlMs: z.number().int().min(0).default(60_000),
      /** History calls one user may cause per minute. */
      perUserPerMinute: z.number().int().min(0).default(30),
      /** History calls the whole gateway may make per minute: the portal allows ~120 calls per
       * minute per client address, list calls included. */
      perMinute: z.number().int().min(0).default(90),
      /** History calls one request may make: keeps a request within Workers' subrequest limit
       * (50 per invocation on the free plan) whatever the other budgets allow. */
      maxPerRequest: z.number().int().min(0).max(1000).default(20),
    })
    .prefault({}),
});

export const ExecutorRegistryConfigSchema = z.strictObject({
  kind: z.literal("executor_registry"),
  ...sourceBase,
  sessionConcurrency: z.number().int().min(1).max(32).default(4),
});

export const AgentStoreConfigSchema = z.strictObject({
  kind: z.literal("agent_store"),
  ...sourceBase,
  sessionConcurrency: z.number().int().min(1).max(32).default(4),
});

/** Viben group chats from an HTTP store, such as a running Viben's own /api (DESIGN §7). */
export const GroupChatStoreConfigSchema = z.strictObject({
  kind: z.literal("group_chat_store"),
  ...sourceBase,
  /** Members and sessions look-ups in flight at once, for chats listed without their counts. */
  sessionConcurrency: z.number().int().min(1).max(32).default(4),
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

export const HttpConfigSchema = z.strictObject({
  /** Origins allowed to call the API from a browser (CORS), e.g. "tauri://localhost". */
  corsOrigins: z.array(z.string().min(1)).default([]),
  /** Longest request URL accepted (path and query), in bytes. */
  maxUrlBytes: z.number().int().min(256).max(65_536).default(8192),
  /** Signs page cursors. Without it each process (each Worker isolate) signs with its own
   * random secret, so cursors do not survive a restart nor cross isolates: set it on Workers. */
  cursorSecret: z.string().min(16).optional(),
});

export const ConfigSchema = z.strictObject({
  sources: z.array(SourceConfigSchema).default([]),
  deadlineMs: z.number().int().min(50).max(60_000).default(2000),
  cache: CacheConfigSchema.prefault({}),
  upstream: UpstreamConfigSchema.prefault({}),
  breaker: BreakerConfigSchema.prefault({}),
  rateLimit: RateLimitConfigSchema.prefault({}),
  http: HttpConfigSchema.prefault({}),
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
