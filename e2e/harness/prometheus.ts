// Reading the Prometheus text format an operator serves on /metrics: what the e2e suite asserts
// on and what the bench measures, parsed one way.

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})? (\S+)$/;
const LABEL = /(\w+)="((?:[^"\\]|\\.)*)"/g;

/** The samples of one metric (histogram parts are their own names: `_sum`, `_count`, `_bucket`). */
export function metricSamples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m || m[1] !== name) continue;
    const labels = Object.fromEntries([...(m[3] ?? '').matchAll(LABEL)].map((x) => [x[1]!, x[2]!]));
    out.push({ labels, value: Number(m[4]) });
  }
  return out;
}

/** The sum of a metric's samples whose labels include `labels`. */
export function metricSum(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const s of metricSamples(text, name)) if (Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  return sum;
}
