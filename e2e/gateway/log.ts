// The gateways' audit lines as the tests read them: one JSON object per connection, among
// HAProxy's plain-text notices (docs/architecture.md, "Exchange across data centres").

export interface LogLine {
  gateway: string;
  side: string;
  consumer: string;
  service: string;
  decision: string;
  grant: string;
  /** When HAProxy wrote the line: at the connection's end (TCP mode logs once the session closes). */
  unixMs: number;
  /** The whole session, from acceptance to close. */
  durationMs: number;
}

/**
 * When the connection was accepted, which is when the gateway decided: a connection passed
 * just before validUntil may close, and be logged, just after it.
 */
export const acceptedMs = (line: LogLine): number => line.unixMs - line.durationMs;

/** The JSON lines of a gateway's output. */
export function auditLines(output: string): LogLine[] {
  return output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}
