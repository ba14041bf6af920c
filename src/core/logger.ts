/** Structured log sink: one JSON object per line. Never pass it a credential. */
export interface Logger {
  info(event: Record<string, unknown>): void;
  warn(event: Record<string, unknown>): void;
  error(event: Record<string, unknown>): void;
}

export function createJsonLogger(write: (line: string) => void, clock = () => Date.now()): Logger {
  const emit = (level: string) => (event: Record<string, unknown>) =>
    write(JSON.stringify({ time: new Date(clock()).toISOString(), level, ...event }));
  return { info: emit("info"), warn: emit("warn"), error: emit("error") };
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
