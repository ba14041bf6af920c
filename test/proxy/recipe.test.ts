import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, parseConfigJson } from "../../src/config/load.js";
import { GATEWAY_VERSION } from "../../src/http/version.js";

const root = join(import.meta.dirname, "../..");

describe("the In front of Viben recipe", () => {
  it("ships a config that loads, fronting Viben on 18791 for the desktop's webview", () => {
    const path = join(root, "examples/in-front-of-viben.json");
    const config = parseConfigJson(readFileSync(path, "utf8"), path);
    expect(config.proxy).toEqual({
      baseUrl: "http://127.0.0.1:18791",
      timeoutMs: 30_000,
      websocket: true,
    });
    expect(config.http.corsOrigins).toEqual(["tauri://localhost", "http://tauri.localhost"]);
  });

  it("shows the same config in the README as in examples/", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## In front of Viben"));
    const block = /```json\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const example = readFileSync(join(root, "examples/in-front-of-viben.json"), "utf8");
    expect(JSON.parse(block.replace(/^ {3}/gm, ""))).toEqual(JSON.parse(example));
  });

  it("refuses a proxy.baseUrl that is not a plain http(s) origin or prefix", () => {
    for (const baseUrl of ["ftp://h", "http://h/?a=1", "http://h/#x", "not a url"])
      expect(() => parseConfig({ proxy: { baseUrl } }), baseUrl).toThrow(ConfigError);
    expect(parseConfig({ proxy: { baseUrl: "http://h:1/prefix/" } }).proxy?.baseUrl).toBe(
      "http://h:1/prefix",
    );
  });
});

describe("/health's version", () => {
  it("is package.json's", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    expect(GATEWAY_VERSION).toBe(pkg.version);
  });
});
