// npm run bench:warm [-- --rounds N] [-- --seconds S] [-- --before DIR] [-- --revalidate]: the
// warm-cache scenario of `npm run bench` alone (bench/warm-scenario.ts), for iterating on the hot
// path; `npm run bench` records it. `--revalidate`: every request answered 304 (If-None-Match).
// BENCH_PROF=DIR writes the gateway's CPU profile there (node --cpu-prof).
import { round } from "./harness.js";
import { warmScenario } from "./warm-scenario.js";

const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : Number(process.argv[at + 1]);
};
const profile = process.env.BENCH_PROF;
const beforeAt = process.argv.indexOf("--before");
const result = await warmScenario({
  rounds: argument("--rounds") ?? 3,
  revalidate: process.argv.includes("--revalidate"),
  ...(beforeAt === -1 ? {} : { before: process.argv[beforeAt + 1] as string }),
  ...(argument("--seconds") === undefined ? {} : { seconds: argument("--seconds") as number }),
  ...(profile === undefined ? {} : { nodeFlags: ["--cpu-prof", `--cpu-prof-dir=${profile}`] }),
  onRound: (r, index) =>
    process.stdout.write(
      `round ${index + 1}: list ${r.list_rps} req/s, bare ${r.bare_rps}, bare with the same headers ${r.bare_same_headers_rps}; ` +
        `CPU µs/request ${r.list_cpu_us} / ${r.bare_cpu_us} / ${r.bare_same_headers_cpu_us}` +
        (r.before_rps === undefined
          ? ""
          : `; before: ${r.before_rps} req/s, ${r.before_cpu_us} µs`) +
        "\n",
    ),
});
if (result.vs_before !== undefined)
  process.stdout.write(
    `against --before: req/s ${result.vs_before.rps}×, CPU per request ${result.vs_before.cpu_per_request}×\n`,
  );
process.stdout.write(
  `median: ${round(result.ratio)} of the bare route, ${round(result.ratio_same_headers)} of the bare route sending the same ${result.response_headers_set_by_the_gateway} headers\n`,
);
