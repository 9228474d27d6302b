/** Sealing secrets at rest with a key derived from ROSTER_SECRET. */
export { SecretBox, SecretBoxError } from './secret-box.ts';
