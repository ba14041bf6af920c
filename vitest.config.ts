import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

const timeouts = { testTimeout: 15_000, hookTimeout: 15_000 };

// Two runtimes, one suite: the node project runs everything but test/worker on Node; the workerd
// project runs test/worker (which includes the shared contract in test/contract) inside workerd.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "node",
          include: ["test/**/*.test.ts"],
          exclude: ["test/worker/**"],
          // One throwaway PostgreSQL server per run, for the postgres store's tests.
          globalSetup: ["test/support/postgres-global-setup.ts"],
          ...timeouts,
        },
      },
      {
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: { bindings: { CHAT_LIST_CONFIG_JSON: JSON.stringify({ sources: [] }) } },
          }),
        ],
        test: { name: "workerd", include: ["test/worker/**/*.test.ts"], ...timeouts },
      },
    ],
  },
});
