// Another process holding a SQLite file's write lock, for the lock test: opens the file, takes
// the write lock (BEGIN IMMEDIATE, and a write), says "locked", and holds it until a line comes
// on stdin; then commits, says "released" and exits.
import { DatabaseSync } from "node:sqlite";

const path = String(process.argv[2]);
const db = new DatabaseSync(path);
db.exec("PRAGMA busy_timeout = 5000");
db.exec("BEGIN IMMEDIATE");
db.prepare(
  "INSERT INTO read_markers (identity, item_id, ms, seq, updated_at) VALUES ('holder', 'gc-0', 1, 0, 0) ON CONFLICT DO NOTHING",
).run();
process.stdout.write("locked\n");
process.stdin.once("data", () => {
  db.exec("COMMIT");
  db.close();
  process.stdout.write("released\n");
  process.exit(0);
});
