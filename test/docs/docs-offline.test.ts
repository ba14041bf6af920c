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

  it('pre-fills "Try it out" hiding no item type, shows a 429 as rate_limited, and 404s nothing', async () => {
    const gw = await gateway({ sources: [] });
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      const notFound: string[] = [];
      page.on("response", (response) => {
        if (response.status() === 404) notFound.push(response.url());
      });
      await page.goto(`${gw.url}/docs`);
      // The list operation, opened; then "Try it out", as a newcomer does.
      const list = page.locator("#operations-chat_list-get_api_chat_list");
      await list.locator(".opblock-summary").click({ timeout: 15_000 });
      await list.locator("button.try-out__btn").click();
      const typeInput = list.locator('tr[data-param-name="type"] input');
      await typeInput.waitFor({ state: "visible" });
      expect((await typeInput.inputValue()).split(",").sort()).toEqual([
        "agent",
        "executor",
        "group_chat",
      ]);
      const tooMany = list.locator('tr.response[data-code="429"]');
      await tooMany.waitFor({ state: "visible" });
      const shown = await tooMany.innerText();
      expect(shown).toContain("rate_limited");
      expect(shown).not.toContain("invalid_query");
      // The page's own requests, the browser's icon included, found something.
      await page.evaluate(() => fetch("/favicon.ico"));
      expect(notFound).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
