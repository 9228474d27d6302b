/**
 * Secrets at rest (SP private keys, OIDC client secrets, signing keys) are sealed with AES-256-GCM
 * under a key derived from ROSTER_SECRET. Each sealed value names the key it was sealed with, so
 * the secret can be rotated: a box opened with the new secret and the previous one reads both,
 * and `roster secret rotate` re-seals every value with the new key.
 *
 * The context (table, column and row id) is bound as additional data: a sealed value copied into
 * another row does not open there.
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The context a value is sealed under: its table and row. Every sealed column uses this one form,
 * so the code that seals a value, the code that opens it and `roster secret rotate` agree.
 */
export function sealContext(table: string, id: string): string {
  return `${table}:${id}`;
}

export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

interface Key {
  readonly id: string;
  readonly bytes: Buffer;
}

function deriveKey(secret: string): Key {
  const bytes = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'roster', 'roster secret box v1', 32));
  // The id identifies the key without revealing it: a hash of a separately derived value.
  const idSource = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'roster', 'roster secret box key id v1', 32));
  const id = createHash('sha256').update(idSource).digest('base64url').slice(0, 10);
  return { id, bytes };
}

export class SecretBox {
  readonly #current: Key;
  readonly #keys: ReadonlyMap<string, Key>;

  private constructor(current: Key, previous: Key | undefined) {
    this.#current = current;
    const keys = new Map<string, Key>([[current.id, current]]);
    if (previous) keys.set(previous.id, previous);
    this.#keys = keys;
  }

  /** The box for ROSTER_SECRET, also able to open values sealed with the previous secret during a rotation. */
  static fromSecrets(current: string, previous?: string): SecretBox {
    return new SecretBox(deriveKey(current), previous === undefined ? undefined : deriveKey(previous));
  }

  /** Id of the key new values are sealed with. */
  get currentKeyId(): string {
    return this.#current.id;
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#current.bytes, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${VERSION}.${this.#current.id}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    const { keyId, data } = parse(sealed);
    const key = this.#keys.get(keyId);
    if (!key) throw new SecretBoxError(`sealed with key ${keyId}, which is not the key of ROSTER_SECRET (${this.#current.id})`);
    if (data.length < IV_BYTES + TAG_BYTES) throw new SecretBoxError('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key.bytes, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new SecretBoxError('sealed value does not open: altered, or sealed for another row', { cause: error });
    }
  }

  /** Whether a value was sealed with an older key and should be re-sealed. */
  isStale(sealed: string): boolean {
    return parse(sealed).keyId !== this.#current.id;
  }
}

function parse(sealed: string): { keyId: string; data: Buffer } {
  const parts = sealed.split('.');
  if (parts.length !== 3 || parts[0] !== VERSION || !parts[1] || !parts[2]) throw new SecretBoxError('not a sealed value');
  return { keyId: parts[1], data: Buffer.from(parts[2], 'base64url') };
}
