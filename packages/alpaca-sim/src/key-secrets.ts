/**
 * API key secrets, kept only as salted SHA-256 digests: the first secret a key id sends registers it (one account
 * per key id), and later requests must send the same one. Alpaca secrets are random tokens, not passwords, so a
 * fast hash is enough, and it keeps the check cheap on every request (scrypt would cost ~30 ms each); the per-key
 * salt keeps two keys with one secret from showing the same digest.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const HASH = /^sha256\$([0-9a-f]{32})\$([0-9a-f]{64})$/;

function digest(salt: Buffer, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}

/** `sha256$<salt hex>$<digest hex>` of a secret under a fresh random salt. */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  return `sha256$${salt.toString('hex')}$${digest(salt, secret).toString('hex')}`;
}

/** Whether `secret` is the one `hash` was made from (constant time); false for anything that is not a hash. */
export function secretMatches(hash: string, secret: string): boolean {
  const m = HASH.exec(hash);
  if (!m?.[1] || !m[2]) return false;
  return timingSafeEqual(Buffer.from(m[2], 'hex'), digest(Buffer.from(m[1], 'hex'), secret));
}

/** The key ids seen so far and the hash of each one's secret. */
export class KeySecrets {
  private readonly hashes: Map<string, string>;

  constructor(hashes: Iterable<[string, string]> = []) {
    this.hashes = new Map(hashes);
  }

  /** True when `secret` is the key id's secret; an unknown key id is registered with it. */
  admit(keyId: string, secret: string): boolean {
    if (keyId === '' || secret === '') return false;
    const known = this.hashes.get(keyId);
    if (known === undefined) {
      this.hashes.set(keyId, hashSecret(secret));
      return true;
    }
    return secretMatches(known, secret);
  }

  /** Forgets a key id: its next request registers a secret again. */
  forget(keyId: string): void {
    this.hashes.delete(keyId);
  }

  /** Key id to hash, for the state file. */
  stored(): ReadonlyMap<string, string> {
    return this.hashes;
  }
}
