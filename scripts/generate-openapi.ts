// Writes the gateway's OpenAPI document, generated from its zod schemas, to openapi/openapi.json.
// With --check it writes nothing and fails when the committed file differs from the generated one.
import { readFileSync, writeFileSync } from "node:fs";
import { parseConfig } from "../src/config/load.js";
import { createApp } from "../src/http/app.js";
import { openApiDocument } from "../src/http/openapi.js";

export const OPENAPI_PATH = new URL("../openapi/openapi.json", import.meta.url);

export function generatedOpenApiText(): string {
  const app = createApp({
    config: parseConfig({}),
    fetch: () => Promise.reject(new Error("the document needs no upstream")),
  });
  return `${JSON.stringify(openApiDocument(app), null, 2)}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const generated = generatedOpenApiText();
  if (process.argv.includes("--check")) {
    const committed = readFileSync(OPENAPI_PATH, "utf8");
    if (committed !== generated) {
      console.error("openapi/openapi.json is out of date: run `npm run openapi` and commit it.");
      process.exit(1);
    }
    console.log("openapi/openapi.json matches the generated document.");
  } else {
    writeFileSync(OPENAPI_PATH, generated);
    console.log("wrote openapi/openapi.json");
  }
}
