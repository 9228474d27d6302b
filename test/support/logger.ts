/** A real logger whose JSON lines a test can read back. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/http/index.ts';

export function capturedLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}
