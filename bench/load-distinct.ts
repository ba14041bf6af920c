// Load generator for the memory scenario, in its own process: `amount` requests, each for a
// distinct workspace_path (so each is a distinct cache key), through autocannon.
import autocannon from "autocannon";

const [url = "", amountText = "1000", connectionsText = "32", offsetText = "0"] =
  process.argv.slice(2);
let counter = Number(offsetText);
const result = await autocannon({
  url,
  connections: Number(connectionsText),
  amount: Number(amountText),
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
  `${JSON.stringify({ requests: result.requests.total, non2xx: result.non2xx, errors: result.errors })}\n`,
);
