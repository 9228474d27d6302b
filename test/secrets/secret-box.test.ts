import { describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../src/secrets/index.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);

describe('SecretBox', () => {
  it('opens what it sealed, and each seal differs', () => {
    const box = SecretBox.fromSecrets(A);
    const one = box.seal('private key', 'sso_connections:1');
    const two = box.seal('private key', 'sso_connections:1');
    expect(one).not.toBe(two);
    expect(one).not.toContain('private key');
    expect(box.open(one, 'sso_connections:1')).toBe('private key');
  });

  it('names the key beside the value', () => {
    const box = SecretBox.fromSecrets(A);
    expect(box.seal('x', 'c').split('.')[1]).toBe(box.currentKeyId);
    expect(SecretBox.fromSecrets(B).currentKeyId).not.toBe(box.currentKeyId);
  });

  it('refuses a value moved to another row', () => {
    const box = SecretBox.fromSecrets(A);
    const sealed = box.seal('secret', 'oidc_clients:app-1');
    expect(() => box.open(sealed, 'oidc_clients:app-2')).toThrow(SecretBoxError);
  });

  it('refuses an altered value', () => {
    const box = SecretBox.fromSecrets(A);
    const sealed = box.seal('secret', 'c');
    const [v, k, data] = sealed.split('.') as [string, string, string];
    const bytes = Buffer.from(data, 'base64url');
    bytes[14] = (bytes[14] ?? 0) ^ 1;
    expect(() => box.open(`${v}.${k}.${bytes.toString('base64url')}`, 'c')).toThrow(SecretBoxError);
    expect(() => box.open('plain text', 'c')).toThrow(SecretBoxError);
  });

  it('refuses a value sealed with another secret, naming both keys', () => {
    const sealed = SecretBox.fromSecrets(A).seal('secret', 'c');
    expect(() => SecretBox.fromSecrets(B).open(sealed, 'c')).toThrow(/not the key of ROSTER_SECRET/);
  });

  it('during a rotation opens values of the previous secret and reports them stale', () => {
    const old = SecretBox.fromSecrets(A).seal('secret', 'c');
    const rotating = SecretBox.fromSecrets(B, A);
    expect(rotating.open(old, 'c')).toBe('secret');
    expect(rotating.isStale(old)).toBe(true);
    expect(rotating.isStale(rotating.seal('secret', 'c'))).toBe(false);
  });
});
