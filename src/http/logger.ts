/**
 * Structured JSON logs. Nothing that could hold a credential (headers, bodies, tokens) is ever
 * passed to the logger; the redaction list is a second line of defence, not the first.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config.ts';

export type { Logger };

export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'roster' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['token', 'secret', 'key', 'password', '*.token', '*.secret', '*.password', 'authorization', '*.authorization', 'controlToken'],
        censor: '[redacted]',
      },
    },
    // Asynchronous: a line written while the previous write is in flight joins the next write, so
    // under load many request lines share one system call instead of costing one each. pino flushes
    // what is buffered synchronously when the process exits.
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
