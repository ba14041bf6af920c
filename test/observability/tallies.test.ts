import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { talliedCounter, talliedHistogram } from "../../src/runtime/node/tallies.js";
import { parseScrape, sampleValue } from "../support/prometheus.js";

describe("tallied counters and histograms", () => {
  it("expose cumulative buckets, +Inf, sum and count per label combination", async () => {
    const registry = new Registry();
    const observe = talliedHistogram(
      { name: "t_seconds", help: "h", labelNames: ["a", "b"], buckets: [0.1, 1] },
      registry,
    );
    for (const value of [0.05, 0.1, 0.5, 7]) observe("x", "y", "", value);
    observe("x", "z", "", 0.5);
    const samples = parseScrape(await registry.metrics());
    const bucket = (b: string, le: string) =>
      sampleValue(samples, "t_seconds_bucket", { a: "x", b, le });
    expect([bucket("y", "0.1"), bucket("y", "1"), bucket("y", "+Inf")]).toEqual([2, 3, 4]);
    expect(sampleValue(samples, "t_seconds_count", { a: "x", b: "y" })).toBe(4);
    expect(sampleValue(samples, "t_seconds_sum", { a: "x", b: "y" })).toBeCloseTo(7.65);
    expect([bucket("z", "0.1"), bucket("z", "1"), bucket("z", "+Inf")]).toEqual([0, 1, 1]);
  });

  it("count each combination of two or three labels apart", async () => {
    const registry = new Registry();
    const count = talliedCounter(
      { name: "t_total", help: "h", labelNames: ["a", "b", "c"] },
      registry,
    );
    count("1", "2", "3");
    count("1", "2", "3");
    count("1", "2", "4");
    count("1", "5", "3");
    const samples = parseScrape(await registry.metrics());
    expect(sampleValue(samples, "t_total", { a: "1", b: "2", c: "3" })).toBe(2);
    expect(sampleValue(samples, "t_total", { a: "1", b: "2", c: "4" })).toBe(1);
    expect(sampleValue(samples, "t_total", { a: "1", b: "5", c: "3" })).toBe(1);
    expect(samples.filter((sample) => sample.name === "t_total")).toHaveLength(3);
  });
});
