// Structured JSON logs (pino) with the fields every line needs to be found again: which
// controller, which cluster and which object. Controllers take a child logger instead of
// formatting these into messages.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stdout when omitted. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const options = {
    level: opts.level ?? process.env.LOG_LEVEL ?? 'info',
    base: { service: 'govcloud-operator' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names rather than numbers, as log pipelines expect.
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

export function controllerLogger(log: Logger, controller: string): Logger {
  return log.child({ controller });
}

/** `object` is the namespace/name (or name) of the object the line is about. */
export function objectLogger(log: Logger, fields: { cluster: string; object: string }): Logger {
  return log.child(fields);
}
