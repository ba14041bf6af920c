// The bindings wrangler.toml gives the Worker, as `env` from cloudflare:workers sees them.
declare namespace Cloudflare {
  interface Env {
    CHAT_LIST_CONFIG_JSON?: string;
    READ_STATE: DurableObjectNamespace<
      import("../../src/runtime/worker/read-state-object.js").ReadStateObject
    >;
  }
}
