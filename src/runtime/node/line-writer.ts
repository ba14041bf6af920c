/**
 * Log lines to stdout, written in batches instead of one write a line. Node writes to a pipe
 * (systemd, docker, a supervisor) synchronously on Linux, and each write wakes the reader: a
 * write per request line was measured at about a third of a cached list's cost, and a write per
 * turn of the event loop still at 5–8 µs a request under load (bench/PROFILE.md). Lines are
 * written in order, at most `maxDelayMs` after the first of a batch or as soon as
 * `maxBufferedBytes` are waiting; what is still buffered is written before the process exits.
 */
export function createLineWriter(
  write: (text: string) => void,
  { maxBufferedBytes = 64 * 1024, maxDelayMs = 5 } = {},
) {
  let lines: string[] = [];
  let bytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  function flush(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0) return;
    const text = lines.join("");
    lines = [];
    bytes = 0;
    write(text);
  }

  process.on("exit", flush);
  return {
    line(text: string): void {
      lines.push(`${text}\n`);
      bytes += text.length + 1;
      if (bytes >= maxBufferedBytes) flush();
      // Unref'd: a pending batch never keeps the process alive; exit writes it.
      else if (timer === undefined) timer = setTimeout(flush, maxDelayMs).unref();
    },
    flush,
  };
}
