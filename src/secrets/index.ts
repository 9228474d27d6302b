/** Sealing secrets at rest with a key derived from ROSTER_SECRET. */
export { SecretBox, SecretBoxError, sealContext } from './secret-box.ts';
