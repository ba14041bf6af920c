/** `held`: not sent at all, because the upstream's Retry-After has not passed. */
export type UpstreamErrorKind =
  | "timeout"
  | "http"
  | "parse"
  | "size"
  | "network"
  | "redirect"
  | "held";

export interface UpstreamErrorOptions {
  kind: UpstreamErrorKind;
  /** Short, human-readable, safe to show a client: never a credential, body or stack. */
  message: string;
  status?: number;
  /** Milliseconds the upstream asked us to wait (Retry-After on 429 or 503). */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Every way an upstream call can fail, as one typed value. */
export class UpstreamError extends Error {
  override readonly name = "UpstreamError";
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(options: UpstreamErrorOptions) {
    super(options.message, { cause: options.cause });
    this.kind = options.kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** The upstream refused the caller's credentials. */
  get unauthorized(): boolean {
    return this.kind === "http" && (this.status === 401 || this.status === 403);
  }

  /** Worth trying again later without changing the request. */
  get retryable(): boolean {
    if (this.kind === "timeout" || this.kind === "network" || this.kind === "held") return true;
    return this.kind === "http" && (this.status === 429 || (this.status ?? 0) >= 500);
  }
}
