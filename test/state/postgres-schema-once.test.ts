import { describe, expect, it } from "vitest";
import { schemaOnce } from "../../src/runtime/node/postgres-client.js";
import { StoreUnavailableError } from "../../src/state/read-marker-store.js";

/** A failure as withinDeadline gives it: PostgreSQL's error, with its code, as the cause. */
const failed = (code: string | undefined) =>
  new StoreUnavailableError("postgres", `failed ${code}`, { cause: { code } });

describe("schemaOnce, the stores' table creation", () => {
  it("counts the loser's answers of two instances creating one table as success", async () => {
    for (const code of ["23505", "42P07", "42710"]) {
      const ensure = schemaOnce(() => Promise.reject(failed(code)));
      await expect(ensure()).resolves.toBeUndefined();
    }
  });

  it("shares one attempt between concurrent callers, and tries again after a real failure", async () => {
    let attempts = 0;
    let fail = true;
    const ensure = schemaOnce(async () => {
      attempts++;
      if (fail) throw failed("08006"); // connection failure: the server is down
    });
    const first = await Promise.allSettled([ensure(), ensure()]);
    expect(first.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(attempts).toBe(1);
    fail = false;
    await expect(ensure()).resolves.toBeUndefined();
    await expect(ensure()).resolves.toBeUndefined();
    expect(attempts).toBe(2);
  });
});
