/** One Server-Sent Event as a client sees it; comments (pings) have event "comment". */
export interface SseMessage {
  event: string;
  id: string | undefined;
  data: string;
  at: number;
}

export interface SseClient {
  status: number;
  headers: Headers;
  events: SseMessage[];
  /** Resolves with the first event (from `from` on) that passes `match`, or rejects after `ms`. */
  next(match: (event: SseMessage) => boolean, ms: number, from?: number): Promise<SseMessage>;
  close(): void;
  closed: Promise<void>;
}

/** Opens an event stream with fetch and parses it as it arrives (the EventSource wire format). */
export async function openSse(
  url: string,
  headers: Record<string, string> = {},
): Promise<SseClient> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const events: SseMessage[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  const parseBlock = (block: string) => {
    if (block.startsWith(":")) {
      events.push({ event: "comment", id: undefined, data: block.slice(1).trim(), at: Date.now() });
      return;
    }
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split("\n")) {
      const [field, ...rest] = line.split(": ");
      const value = rest.join(": ");
      if (field === "event") event = value;
      else if (field === "id") id = value;
      else if (field === "data") data.push(value);
      else if (field === "retry") event = "retry";
    }
    events.push({ event, id, data: data.join("\n"), at: Date.now() });
  };
  const closed = (async () => {
    if (response.body === null) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted by close()
    }
    for (const wake of waiters) wake();
  })();
  let ended = false;
  void closed.then(() => {
    ended = true;
  });
  return {
    status: response.status,
    headers: response.headers,
    events,
    next(match, ms, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.slice(from).find(match);
          if (found !== undefined) {
            cleanup();
            resolve(found);
          } else if (ended) {
            cleanup();
            reject(new Error("stream ended"));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching event within ${ms} ms`));
        }, ms);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    close: () => controller.abort(),
    closed,
  };
}

/** The items a client holds after `events` (snapshots and patches applied in order), by id. */
export function itemsAfter<Item extends { id: string }>(events: SseMessage[]): Map<string, Item> {
  const items = new Map<string, Item>();
  for (const event of events) {
    if (event.event === "snapshot") {
      items.clear();
      for (const item of JSON.parse(event.data).items as Item[]) items.set(item.id, item);
    } else if (event.event === "patch") {
      const patch = JSON.parse(event.data) as { upsert: Item[]; remove: string[] };
      for (const id of patch.remove) items.delete(id);
      for (const item of patch.upsert) items.set(item.id, item);
    }
  }
  return items;
}
