// What `promtool check metrics` says of a Prometheus text exposition, in plain Node: it parses
// the text as Prometheus's own parser does (families, TYPE and HELP, sample lines) and applies
// the lint rules of client_golang's promlint (the ones Prometheus 2.42's promtool runs, and
// those later versions added), so CI needs no promtool to hold an operator's lint.

export interface LintProblem {
  metric: string;
  text: string;
}

const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?$/;
const LABEL_PAIR = /\s*([^=\s]+)="((?:[^"\\]|\\.)*)"\s*(?:,|$)/y;
// As Go's strconv.ParseFloat reads them: prom-client writes "Nan" for a NaN, which it accepts.
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?|inf(?:inity)?)|nan)$/i;
const BASE_UNITS = [
  "amperes",
  "bytes",
  "hertz",
  "joules",
  "kelvin",
  "meters",
  "metres",
  "seconds",
  "volts",
];
const UNIT_PREFIXES = [
  "pico",
  "nano",
  "micro",
  "milli",
  "centi",
  "deci",
  "deca",
  "hecto",
  "kilo",
  "kila",
  "mega",
  "giga",
  "tera",
  "peta",
  "exa",
  "zetta",
  "yotta",
];
const UNIT_ABBREVIATIONS = new Set([
  "s",
  "ms",
  "us",
  "ns",
  "sec",
  "b",
  "kb",
  "mb",
  "gb",
  "tb",
  "pb",
  "m",
  "h",
  "d",
]);

interface Family {
  name: string;
  type: string;
  help: string | undefined;
  labelNames: Set<string>;
  samples: number;
}

/** The family a sample line belongs to: its own name, or a histogram's or summary's series. */
function familyOf(families: Map<string, Family>, sample: string): Family | undefined {
  const own = families.get(sample);
  if (own !== undefined) return own;
  for (const suffix of ["_bucket", "_count", "_sum"]) {
    if (!sample.endsWith(suffix)) continue;
    const family = families.get(sample.slice(0, -suffix.length));
    if (family === undefined) continue;
    if (family.type === "histogram" || (family.type === "summary" && suffix !== "_bucket"))
      return family;
  }
  return undefined;
}

function labelsOf(text: string | undefined): string[] | string {
  if (text === undefined || text.trim() === "") return [];
  const names: string[] = [];
  LABEL_PAIR.lastIndex = 0;
  while (LABEL_PAIR.lastIndex < text.length) {
    const match = LABEL_PAIR.exec(text);
    if (match === null) return `unreadable labels: {${text}}`;
    names.push(match[1] as string);
  }
  return names;
}

/** Parse errors first (as promtool, which stops at them), then every lint problem. */
export function promlint(exposition: string): LintProblem[] {
  const families = new Map<string, Family>();
  const problems: LintProblem[] = [];
  const parseError = (metric: string, text: string) => problems.push({ metric, text });
  for (const [index, line] of exposition.split("\n").entries()) {
    if (line.trim() === "") continue;
    const at = `line ${index + 1}`;
    if (line.startsWith("#")) {
      const [, keyword, name = "", ...rest] = line.split(/\s+/);
      if (keyword !== "HELP" && keyword !== "TYPE") continue; // a comment
      if (!METRIC_NAME.test(name)) parseError(name, `${at}: invalid metric name`);
      const text = line.replace(/^#\s+\S+\s+\S+\s?/, "");
      let family = families.get(name);
      if (family === undefined) {
        family = { name, type: "untyped", help: undefined, labelNames: new Set(), samples: 0 };
        families.set(name, family);
      }
      if (keyword === "TYPE") {
        const type = rest[0] ?? "";
        if (!TYPES.has(type)) parseError(name, `${at}: unknown metric type "${type}"`);
        if (family.samples > 0) parseError(name, `${at}: TYPE after the family's samples`);
        family.type = type;
      } else {
        if (family.help !== undefined) parseError(name, `${at}: second HELP line`);
        family.help = text;
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (match === null) {
      parseError("", `${at}: not a sample line: ${line}`);
      continue;
    }
    const [, name = "", labelText, value = ""] = match;
    if (!VALUE.test(value)) parseError(name, `${at}: not a sample value: ${value}`);
    let family = familyOf(families, name);
    if (family === undefined) {
      family = { name, type: "untyped", help: undefined, labelNames: new Set(), samples: 0 };
      families.set(name, family);
    }
    family.samples++;
    const labels = labelsOf(labelText);
    if (typeof labels === "string") parseError(name, `${at}: ${labels}`);
    else
      for (const label of labels) {
        if (!LABEL_NAME.test(label) || label.startsWith("__"))
          parseError(name, `${at}: invalid label name "${label}"`);
        family.labelNames.add(label);
      }
  }
  if (problems.length > 0) return problems;
  for (const family of families.values()) problems.push(...lintFamily(family));
  return problems;
}

/** client_golang's promlint rules for one metric family. */
function lintFamily({ name, type, help, labelNames }: Family): LintProblem[] {
  const problems: string[] = [];
  if (help === undefined || help.trim() === "") problems.push("no help text");
  // Counters: `_total`, and only counters (a gauge named like one breaks rate() habits).
  if (type === "counter" && !name.endsWith("_total"))
    problems.push('counter metrics should have "_total" suffix');
  if (type !== "counter" && name.endsWith("_total"))
    problems.push('non-counter metrics should not have "_total" suffix');
  // Reserved series suffixes and labels of histograms and summaries.
  if (type !== "histogram") {
    if (name.endsWith("_bucket"))
      problems.push('non-histogram metrics should not have "_bucket" suffix');
    if (labelNames.has("le")) problems.push('non-histogram metrics should not have "le" label');
  }
  if (type !== "histogram" && type !== "summary") {
    for (const suffix of ["_count", "_sum"])
      if (name.endsWith(suffix))
        problems.push(`non-histogram and non-summary metrics should not have "${suffix}" suffix`);
  }
  if (type !== "summary" && labelNames.has("quantile"))
    problems.push('non-summary metrics should not have "quantile" label');
  // Base units, not scaled or abbreviated ones.
  for (const unit of BASE_UNITS)
    for (const prefix of UNIT_PREFIXES)
      if (name.includes(`_${prefix}${unit}`))
        problems.push(`use base unit "${unit}" instead of "${prefix}${unit}"`);
  if (name.split("_").some((token) => UNIT_ABBREVIATIONS.has(token.toLowerCase())))
    problems.push("metric names should not contain abbreviated units");
  // Later promlint rules: names, not types, in names; snake_case; no colons (recording rules').
  if (type !== "untyped")
    for (const kind of ["counter", "gauge", "histogram", "summary"])
      if (name.toLowerCase().includes(`_${kind}_`) || name.toLowerCase().endsWith(`_${kind}`))
        problems.push(`metric name should not include type '${kind}'`);
  if (/[a-z][A-Z]/.test(name))
    problems.push("metric names should be written in 'snake_case' not 'camelCase'");
  if ([...labelNames].some((label) => /[a-z][A-Z]/.test(label)))
    problems.push("label names should be written in 'snake_case' not 'camelCase'");
  if (name.includes(":")) problems.push("metric names should not contain ':'");
  return problems.map((text) => ({ metric: name, text }));
}
