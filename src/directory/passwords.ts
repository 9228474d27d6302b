/**
 * Passwords an IdP pushes (Okta's password sync) are kept only as scrypt hashes. Roster signs
 * people in through their IdP and never checks these; the hash lets a later feature verify one
 * without ever having held it in clear.
 */
import { randomBytes, scrypt } from 'node:crypto';

const KEY_LENGTH = 32;
const COST = 16384;

export function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { N: COST, r: 8, p: 1 }, (error, key) => {
      if (error) reject(error);
      else resolve(`scrypt$${COST}$8$1$${salt.toString('base64url')}$${key.toString('base64url')}`);
    });
  });
}
