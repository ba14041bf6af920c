/** Reads a response's Server-Sent Events as they arrive (for runtimes without loopback sockets). */
export function sseReader(response: Response) {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const queued: { event: string; data: string }[] = [];
  let buffer = "";
  return {
    /** The next event named `name` (others are skipped), or null when the stream ends. */
    async next(name: string): Promise<{ event: string; data: string } | null> {
      for (;;) {
        const index = queued.findIndex((event) => event.event === name);
        if (index !== -1) return queued.splice(0, index + 1).at(-1) ?? null;
        const { done, value } = await reader.read();
        if (done) return null;
        buffer += decoder.decode(value, { stream: true });
        for (let end = buffer.indexOf("\n\n"); end !== -1; end = buffer.indexOf("\n\n")) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) queued.push({ event, data });
        }
      }
    },
    stop: () => reader.cancel(),
  };
}
