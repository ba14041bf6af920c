/**
 * Server-Sent Events over a byte-bounded stream. Events are queued without waiting, so one
 * change reaches a thousand streams in one synchronous pass; a client that stops reading lets
 * its queue grow, and past `maxQueuedBytes` it is dropped instead of holding memory.
 */

const encoder = new TextEncoder();

/** One event in the text/event-stream format: `event`, `id`, `data` (one line per data line). */
export function sseEvent(event: string, data: string, id?: string): string {
  const lines = data.split("\n").map((line) => `data: ${line}`);
  return `event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}${lines.join("\n")}\n\n`;
}

/**
 * The connection itself, where the runtime can write to it (Node: the ServerResponse). A
 * channel on a sink writes there directly instead of through a web ReadableStream and
 * node-server's pump of it, which were more than a third of what an idle stream held.
 */
export interface SseSink {
  /** Writes text; never waits. */
  write(text: string): void;
  /** Bytes written and not yet taken by the operating system. */
  queuedBytes(): number;
  /** Ends the response. */
  end(): void;
  /** Cuts the connection (a client too slow to read). */
  cut(): void;
  /** `listener` is called once if the connection closes before end(). */
  onGone(listener: () => void): void;
}

export interface SseChannel {
  /** The response body; null when the channel writes to a sink. */
  readable: ReadableStream<Uint8Array> | null;
  /** Queues text; false (and the channel closed) when the client fell too far behind. */
  send(text: string): boolean;
  /** Ends the response. */
  close(): void;
  /** Bytes queued and not yet taken by the server. */
  queuedBytes(): number;
  closed(): boolean;
}

export function createSseChannel(options: {
  maxQueuedBytes: number;
  /** Called once when the channel ends: closed, cancelled by the client, or dropped. */
  onClose: (reason: "closed" | "cancelled" | "slow") => void;
  /** Cuts the client's connection, where the runtime can (Node: the socket); otherwise the
   * stream is errored, which the server turns into a cut connection too. */
  cut?: () => void;
  /** Write to the connection directly (see SseSink). */
  sink?: SseSink;
}): SseChannel {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const end = (reason: "closed" | "cancelled" | "slow") => {
    if (ended) return;
    ended = true;
    options.onClose(reason);
  };
  if (options.sink !== undefined)
    return sinkChannel(options.sink, options.maxQueuedBytes, end, () => ended);
  const readable = new ReadableStream<Uint8Array>(
    {
      start(streamController) {
        controller = streamController;
      },
      cancel() {
        end("cancelled");
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: options.maxQueuedBytes }),
  );
  const queuedBytes = () => options.maxQueuedBytes - (controller.desiredSize ?? 0);
  return {
    readable,
    send(text) {
      if (ended) return false;
      controller.enqueue(encoder.encode(text));
      if ((controller.desiredSize ?? 0) >= 0) return true;
      end("slow");
      if (options.cut === undefined) controller.error(new Error("client too slow"));
      else options.cut();
      return false;
    },
    close() {
      if (ended) return;
      controller.close();
      end("closed");
    },
    queuedBytes,
    closed: () => ended,
  };
}

/** A channel on a sink; `end` and `ended` are createSseChannel's, which ends a channel once. */
function sinkChannel(
  sink: SseSink,
  maxQueuedBytes: number,
  end: (reason: "closed" | "cancelled" | "slow") => void,
  ended: () => boolean,
): SseChannel {
  sink.onGone(() => end("cancelled"));
  return {
    readable: null,
    send(text) {
      if (ended()) return false;
      sink.write(text);
      if (sink.queuedBytes() <= maxQueuedBytes) return true;
      end("slow");
      sink.cut();
      return false;
    },
    close() {
      if (ended()) return;
      sink.end();
      end("closed");
    },
    queuedBytes: () => sink.queuedBytes(),
    closed: ended,
  };
}
