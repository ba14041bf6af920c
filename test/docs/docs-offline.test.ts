import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { launchBrowser } from "../support/browser.js";
import { useResources } from "../support/resources.js";

const { gateway } = useResources();
const OUTPUT = join(import.meta.dirname, "../../test-output");

describe("/docs in a browser with the network closed", () => {
  it("renders the chat-list operation from assets the gateway serves itself", async () => {
    const gw = await gateway({ sources: [] });
    const browser = await launchBrowser();
    try {
      const context = await browser.newContext();
      // The network is closed: anything not on loopback is refused, and remembered.
      const refused: string[] = [];
      await context.route("**/*", (route) => {
        const { hostname } = new URL(route.request().url());
        if (hostname === "127.0.0.1" || hostname === "localhost") return route.continue();
        refused.push(route.request().url());
        return route.abort("internetdisconnected");
      });
      const page = await context.newPage();
      await page.goto(`${gw.url}/docs`);
      const operation = page.locator(".opblock-summary-path", { hasText: "/api/chat-list" });
      await operation.first().waitFor({ state: "visible", timeout: 15_000 });
      expect(await page.locator(".opblock-summary-method").first().textContent()).toBe("GET");
      mkdirSync(OUTPUT, { recursive: true });
      await page.screenshot({ path: join(OUTPUT, "docs.png"), fullPage: true });
      expect(refused).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
