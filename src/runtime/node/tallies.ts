import { Counter, type Metric, type Registry } from "prom-client";

// Counters and histograms whose hot path allocates nothing: each label combination's cell is
// found through nested Maps (one level per label, two or three labels) and moved in place; the
// cells are handed to prom-client only when scraped. prom-client's own inc/observe validate and
// hash the labels on every call, which was most of a warm request's metrics cost (~2 µs).

type Labels = Record<string, string>;
type Level = Map<string, unknown>;

/** Finds (or makes, once) the cell of a combination of two or three label values. */
function cellFinder<C>(labelNames: readonly string[], make: (labels: Labels) => C) {
  const root: Level = new Map();
  const cells: C[] = [];
  const depth = labelNames.length;
  if (depth !== 2 && depth !== 3) throw new Error("tallies take two or three labels");
  function find(a: string, b: string, c: string): C {
    let level = root.get(a) as Level | undefined;
    if (level === undefined) {
      level = new Map();
      root.set(a, level);
    }
    if (depth === 3) {
      let next = level.get(b) as Level | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(b, next);
      }
      level = next;
    }
    const last = depth === 3 ? c : b;
    let cell = level.get(last) as C | undefined;
    if (cell === undefined) {
      const values = [a, b, c];
      cell = make(Object.fromEntries(labelNames.map((name, index) => [name, values[index] ?? ""])));
      level.set(last, cell);
      cells.push(cell);
    }
    return cell;
  }
  return { find, cells };
}

interface MetricConfig {
  name: string;
  help: string;
  labelNames: readonly string[];
}

/** A counter; call it with its label values (the third is ignored for two labels). */
export function talliedCounter(config: MetricConfig, registry: Registry) {
  const { find, cells } = cellFinder(config.labelNames, (labels) => ({ labels, count: 0 }));
  new Counter({
    ...config,
    registers: [registry],
    collect() {
      this.reset();
      for (const cell of cells) this.inc(cell.labels, cell.count);
    },
  });
  return (a: string, b: string, c = "") => {
    find(a, b, c).count++;
  };
}

/** A histogram with fixed bucket bounds (seconds); call it with its label values and a value. */
export function talliedHistogram(
  config: MetricConfig & { buckets: readonly number[] },
  registry: Registry,
) {
  const { name, help, buckets } = config;
  const { find, cells } = cellFinder(config.labelNames, (labels) => ({
    labels,
    inBucket: new Float64Array(buckets.length),
    sum: 0,
    count: 0,
  }));
  const values = () =>
    cells.flatMap((cell) => {
      let cumulative = 0;
      return [
        ...buckets.map((bound, index) => {
          cumulative += cell.inBucket[index] as number;
          const labels = { ...cell.labels, le: String(bound) };
          return { metricName: `${name}_bucket`, labels, value: cumulative };
        }),
        { metricName: `${name}_bucket`, labels: { ...cell.labels, le: "+Inf" }, value: cell.count },
        { metricName: `${name}_sum`, labels: cell.labels, value: cell.sum },
        { metricName: `${name}_count`, labels: cell.labels, value: cell.count },
      ];
    });
  // What prom-client's registry asks of a metric: its name, help, type, and values when scraped.
  const metric = {
    name,
    help,
    type: "histogram",
    aggregator: "sum",
    get: async () => ({ name, help, type: "histogram", aggregator: "sum", values: values() }),
    reset() {
      for (const cell of cells) {
        cell.inBucket.fill(0);
        cell.sum = 0;
        cell.count = 0;
      }
    },
  };
  registry.registerMetric(metric as unknown as Metric);
  return (a: string, b: string, c: string, value: number) => {
    const cell = find(a, b, c);
    cell.count++;
    cell.sum += value;
    const index = buckets.findIndex((bound) => value <= bound);
    if (index !== -1) cell.inBucket[index] = (cell.inBucket[index] as number) + 1;
  };
}
