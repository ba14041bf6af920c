// A sidebar that follows the list live: GET /api/chat-list/stream, a snapshot then patches,
// applied and sorted with the list's own order. In a browser, EventSource does the reading:
//
//   const live = createLiveList();
//   const source = new EventSource("/api/chat-list/stream?workspace_path=/home/ana/proj",
//                                  { withCredentials: true });
//   source.addEventListener("snapshot", (e) => render(live.snapshot(JSON.parse(e.data))));
//   source.addEventListener("patch", (e) => render(live.patch(JSON.parse(e.data))));
//
// (EventSource reconnects by itself, sending Last-Event-ID, and the gateway resumes with one
// patch.) Outside a browser, followList below reads the stream with fetch. Type-checked in CI
// and run by test/client. Browser-ready: it imports only types and the list's order, no zod, so
// a bundle of it is a few KiB (test/client/stream-client-bundle.test.ts holds it to 5 KiB gzip).
//
//   npx tsx examples/stream-client.ts http://127.0.0.1:8787 [workspace_path]
import type { ChatListItem, Counts } from "../src/core/items.js";
import { compareItems } from "../src/core/sort.js";
import type { ChatListResponse } from "../src/http/chat-list/chat-list.schemas.js";
import type { LivePatch } from "./live-types.js";

export interface LiveListView {
  items: ChatListItem[];
  counts: Counts;
  complete: boolean;
}

/** The list a stream describes: a snapshot replaces it, a patch upserts and removes by id. */
export function createLiveList() {
  const byId = new Map<string, ChatListItem>();
  let view: LiveListView = {
    items: [],
    counts: { group_chats: 0, executors: 0, agents: 0 },
    complete: false,
  };
  const render = (counts: Counts, complete: boolean): LiveListView => {
    view = { items: [...byId.values()].sort(compareItems), counts, complete };
    return view;
  };
  return {
    snapshot(body: ChatListResponse): LiveListView {
      byId.clear();
      for (const item of body.items) byId.set(item.id, item);
      return render(body.counts, body.complete);
    },
    patch(patch: LivePatch): LiveListView {
      for (const id of patch.remove) byId.delete(id);
      for (const item of patch.upsert) byId.set(item.id, item);
      return render(patch.counts, patch.complete);
    },
    view: () => view,
  };
}

export interface FollowOptions {
  psession?: string;
  workspacePath?: string;
  signal?: AbortSignal;
}

/**
 * Follows the list until `signal` aborts, calling `onList` after every event; reconnects after
 * the server's `retry` (or a shutdown event) with Last-Event-ID, as EventSource would.
 */
export async function followList(
  baseUrl: string,
  onList: (view: LiveListView) => void,
  options: FollowOptions = {},
): Promise<void> {
  const live = createLiveList();
  const url = new URL("/api/chat-list/stream", baseUrl);
  if (options.workspacePath !== undefined)
    url.searchParams.set("workspace_path", options.workspacePath);
  let lastEventId: string | undefined;
  let retryMs = 3000;
  const aborted = () => options.signal?.aborted === true;
  while (!aborted()) {
    try {
      const response = await fetch(url, {
        headers: {
          accept: "text/event-stream",
          ...(options.psession === undefined ? {} : { cookie: `psession=${options.psession}` }),
          ...(lastEventId === undefined ? {} : { "last-event-id": lastEventId }),
        },
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });
      if (response.status !== 200 || response.body === null)
        throw new Error(`stream failed: HTTP ${response.status}`);
      let buffer = "";
      const decoder = new TextDecoder();
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const fields = new Map<string, string>();
          for (const line of buffer.slice(0, end).split("\n")) {
            const colon = line.indexOf(": ");
            if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          buffer = buffer.slice(end + 2);
          const data = fields.get("data");
          if (fields.has("retry")) retryMs = Number(fields.get("retry"));
          if (fields.has("id")) lastEventId = fields.get("id");
          if (data === undefined) continue;
          const event = fields.get("event");
          if (event === "snapshot") onList(live.snapshot(JSON.parse(data)));
          else if (event === "patch") onList(live.patch(JSON.parse(data)));
        }
      }
    } catch (error) {
      if (aborted()) return;
      if (!(error instanceof Error)) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

// Run as a script (Node). A page that imports this module has no `process`: nothing runs.
if (typeof process !== "undefined" && import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl = "http://127.0.0.1:8787", workspacePath] = process.argv.slice(2);
  await followList(
    baseUrl,
    (view) => {
      console.log(`--- ${view.items.length} items (${view.complete ? "complete" : "incomplete"})`);
      for (const item of view.items)
        console.log(
          `${item.type.padEnd(10)} ${item.source.padEnd(9)} ${item.name}  (${item.last_active ?? "never"})`,
        );
    },
    workspacePath === undefined ? {} : { workspacePath },
  );
}
