/** Structured log sink: one JSON object per line. Never pass it a credential. */
export interface Logger {
  info(event: Record<string, unknown>): void;
  warn(event: Record<string, unknown>): void;
  error(event: Record<string, unknown>): void;
}

/**
 * A logger writing each event as one JSON line: `time` (ISO 8601) and `level` first, then the
 * event's own fields. The line is joined from the event's JSON rather than from a copy of the
 * event with those two fields added, and the time text is made once per millisecond: a request
 * writes one line, so on a cached list this is a fair part of the request's cost.
 */
export function createJsonLogger(write: (line: string) => void, clock = () => Date.now()): Logger {
  let lastMs = Number.NaN;
  let lastTime = "";
  const emit = (level: string) => {
    const head = `","level":${JSON.stringify(level)}`;
    return (event: Record<string, unknown>) => {
      const now = clock();
      if (now !== lastMs) {
        lastMs = now;
        lastTime = new Date(now).toISOString();
      }
      const fields = JSON.stringify(event);
      write(`{"time":"${lastTime}${head}${fields === "{}" ? "}" : `,${fields.slice(1)}`}`);
    };
  };
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
