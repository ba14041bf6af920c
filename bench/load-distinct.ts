// Load generator for the scenarios over many cache keys, in its own process: `amount`
// requests, each for a distinct workspace_path (so each is a distinct cache key), through
// autocannon; with a fifth argument, that Cookie header on every request. Prints one JSON line:
// counts, errors and latency percentiles (ms).
import autocannon from "autocannon";

const [url = "", amountText = "1000", connectionsText = "32", offsetText = "0", cookie] =
  process.argv.slice(2);
let counter = Number(offsetText);
const result = await autocannon({
  url,
  connections: Number(connectionsText),
  amount: Number(amountText),
  ...(cookie === undefined ? {} : { headers: { cookie } }),
  requests: [
    {
      setupRequest(request) {
        counter++;
        return { ...request, path: `/api/chat-list?workspace_path=/bench/workspace-${counter}` };
      },
    },
  ],
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
  })}\n`,
);
