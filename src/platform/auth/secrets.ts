import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Tokens and keys are 128+ bits from the CSPRNG, so a plain SHA-256 is a sufficient hash at rest. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

export function newApiToken(): string {
  return `srp_${randomBytes(32).toString('base64url')}`;
}

/** 32 characters, like a PagerDuty integration (routing) key. */
export function newIntegrationKey(): string {
  return randomBytes(16).toString('hex');
}

export function newSigningSecret(): string {
  return randomBytes(36).toString('base64url');
}

export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
