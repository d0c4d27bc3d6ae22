// The gateways' audit lines as the tests read them: one JSON object per connection, among
// HAProxy's plain-text notices (docs/architecture.md, "Exchange across data centres").

export interface LogLine {
  gateway: string;
  side: string;
  consumer: string;
  service: string;
  decision: string;
  grant: string;
  unixMs: number;
}

/** The JSON lines of a gateway's output. */
export function auditLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}
