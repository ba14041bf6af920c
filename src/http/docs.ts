import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.js";

/** The swagger-ui-dist files the docs page needs, and their media types. */
export const DOCS_ASSETS = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
} as const;
export type DocsAssetName = keyof typeof DOCS_ASSETS;

/** Reads one docs asset (from the swagger-ui-dist package); the Node entry provides it. */
export type DocsAssetReader = (name: DocsAssetName) => Promise<Uint8Array<ArrayBuffer> | null>;

// The same pinned version as package.json, for runtimes that do not serve the files themselves.
const CDN_BASE = "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5.35.0";

function docsPage(assetsBase: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>chat-list gateway API</title>
<link rel="stylesheet" href="${assetsBase}/swagger-ui.css">
</head>
<body>
<div id="docs"></div>
<script src="${assetsBase}/swagger-ui-bundle.js"></script>
<script>
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true, validatorUrl: null });
</script>
</body>
</html>`;
}

/**
 * GET /docs: interactive docs for /openapi.json. With an asset reader the page loads its
 * scripts from the gateway itself (/docs/assets/...), so it works with no internet access;
 * without one (Workers) it loads the same pinned version from a CDN.
 */
export function registerDocs(app: OpenAPIHono<AppEnv>, readAsset?: DocsAssetReader): void {
  // A browser asks every site for its icon (the docs page, a list opened in a tab): no icon,
  // and no 404 in its console. Not one of the gateway's own paths (proxy/own-paths.ts): in
  // front of a backend, the backend's icon is asked for.
  app.get("/favicon.ico", (c) => c.body(null, 204, { "Cache-Control": "public, max-age=86400" }));
  const page = docsPage(readAsset === undefined ? CDN_BASE : "/docs/assets");
  // The page needs its inline bootstrap script; everything else comes from 'self' (or the CDN).
  const scriptSource =
    readAsset === undefined ? `'self' 'unsafe-inline' ${CDN_BASE}` : "'self' 'unsafe-inline'";
  app.get("/docs", (c) => {
    c.header(
      "Content-Security-Policy",
      `default-src 'self'; script-src ${scriptSource}; style-src 'self' 'unsafe-inline' ${readAsset === undefined ? CDN_BASE : ""}; img-src 'self' data:`,
    );
    return c.html(page);
  });
  if (readAsset === undefined) return;
  app.get("/docs/assets/:name", async (c) => {
    const name = c.req.param("name");
    if (!Object.hasOwn(DOCS_ASSETS, name)) return c.notFound();
    const body = await readAsset(name as DocsAssetName);
    if (body === null) return c.notFound();
    return c.body(body, 200, {
      "Content-Type": DOCS_ASSETS[name as DocsAssetName],
      "Cache-Control": "public, max-age=86400",
    });
  });
}
