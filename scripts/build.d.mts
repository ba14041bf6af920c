// Types of scripts/build.mjs (plain JavaScript, so that it runs on any node) for TypeScript callers.
export const SERVER: string;
export function isStale(): boolean;
/** Builds dist/node/server.mjs; resolves with the milliseconds it took. */
export function build(): Promise<number>;
export function buildIfStale(): Promise<boolean>;
