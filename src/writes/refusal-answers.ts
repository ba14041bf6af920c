import type { ErrorCode } from "../http/problem.js";
import type { WriteKind } from "../observability/labels.js";
import type { PortalRefusal } from "../sources/portal/portal-refusals.js";

/** How a write's refusal is answered: its problem code, detail, extra members and headers,
 * and whether the answer is kept for its Idempotency-Key. */
export interface RefusalAnswer {
  code: ErrorCode;
  detail: string;
  extra: Record<string, unknown>;
  headers: Record<string, string>;
  /** Kept and replayed: the portal judged this very request, and would judge it so again. Not
   * kept: an outcome that is unknown (timeout) or passing (rate limit, 5xx, session), so a retry
   * with the same key asks the portal again. */
  keep: boolean;
}

const answer = (
  code: ErrorCode,
  detail: string,
  keep: boolean,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): RefusalAnswer => ({ code, detail, extra, headers, keep });

/**
 * DESIGN §13's map of the portal's refusals. The portal's `detail` is kept when it is a short
 * string (the adapter has already dropped one that repeats the content).
 */
export function refusalAnswer(
  kind: WriteKind,
  refusal: PortalRefusal,
  timeoutMs: number,
): RefusalAnswer {
  const said = (fallback: string) => refusal.detail ?? fallback;
  switch (refusal.kind) {
    case "unauthorized":
      return answer("unauthorized", said("the portal refused the caller's session"), false);
    case "banned":
      return answer("banned", said("you are banned from this chat"), true);
    case "muted":
      return answer("muted", said("you are muted in this chat"), true, { ttl: refusal.ttl });
    case "epoch_mismatch":
      return answer(
        "epoch_mismatch",
        said("the chat key has rotated: wait for a member to send the new key, then encrypt again"),
        true,
      );
    case "no_room_key":
      return answer(
        "no_room_key",
        said("you have not received the chat key for the current epoch yet"),
        true,
      );
    case "forbidden":
      return answer(
        "forbidden",
        said(
          kind === "create_chat"
            ? "the portal refused to create the chat (no premium subscription, or no chat slot left)"
            : "the portal refused the message",
        ),
        true,
      );
    case "not_found":
      return answer("not_found", said("the portal does not know this chat"), false);
    case "conflict":
      return answer("conflict", said("the portal reported a conflict"), true);
    case "invalid_content":
      // Seed 003's 422 is about the content; a 422 to a new chat is about its fields.
      return kind === "send_message"
        ? answer("invalid_content", said("the portal refused the content's bundle"), true)
        : answer("invalid_fields", said("the portal refused the chat's fields"), true);
    case "rate_limited": {
      const waitS = Math.max(1, Math.ceil((refusal.retryAfterMs ?? 1000) / 1000));
      return answer(
        "portal_rate_limited",
        said(`the portal asked to wait; retry after ${waitS} s`),
        false,
        {},
        { "Retry-After": String(waitS) },
      );
    }
    case "unavailable":
      return answer(
        "portal_unavailable",
        refusal.status === null
          ? said("the portal could not be reached")
          : `the portal answered HTTP ${refusal.status}`,
        false,
      );
    case "timeout":
      return answer(
        "portal_timeout",
        `the portal did not answer within ${timeoutMs} ms; the write may still have happened there, so look before writing it again`,
        false,
      );
  }
}
