/**
 * The few DER encodings a self-signed X.509 certificate needs (X.690). Only what
 * sp-credentials.ts uses: definite lengths, positive integers, UTF8String names, times.
 */

export function der(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const sequence = (...contents: Buffer[]) => der(0x30, ...contents);
export const set = (...contents: Buffer[]) => der(0x31, ...contents);
export const explicit = (tagNumber: number, content: Buffer) => der(0xa0 | tagNumber, content);
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const utf8String = (value: string) => der(0x0c, Buffer.from(value, 'utf8'));
export const octetString = (content: Buffer) => der(0x04, content);
export const boolean = (value: boolean) => der(0x01, Buffer.from([value ? 0xff : 0x00]));
/** A BIT STRING of whole bytes: the leading 0 says no bits are unused. */
export const bitString = (content: Buffer) => der(0x03, Buffer.from([0]), content);

/** An unsigned big-endian integer: a 0x00 is prepended when the top bit would make it negative. */
export function positiveInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return der(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

export function objectIdentifier(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) base128.unshift(0x80 | (value & 0x7f));
    bytes.push(...base128);
  }
  return der(0x06, Buffer.from(bytes));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC to the second. */
export function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2036-12-05T17:57:19.000Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z'; // 20361205175719Z
  const year = date.getUTCFullYear();
  return year < 2050 ? der(0x17, Buffer.from(digits.slice(2), 'ascii')) : der(0x18, Buffer.from(digits, 'ascii'));
}
