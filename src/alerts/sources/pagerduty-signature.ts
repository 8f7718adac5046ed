import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * PagerDuty Webhooks V3 `X-PagerDuty-Signature` check, as go-pagerduty's webhookv3 does it.
 *
 * - `malformed`: header missing or empty, or no usable `v1=<hex>` entry (go-pagerduty: answer 400);
 * - `invalid`: well-formed but no entry matches any secret (answer 403 so PagerDuty does not retry);
 * - `valid`: some `v1` entry equals HMAC-SHA256(secret as UTF-8 bytes, raw body bytes).
 *
 * Several entries (secret rotation on PagerDuty's side) and several secrets (rotation on ours)
 * are both allowed; any match is enough.
 */
export type PagerDutySignatureVerdict = 'valid' | 'invalid' | 'malformed';

export const PAGERDUTY_SIGNATURE_HEADER = 'x-pagerduty-signature';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
/** Far more than rotation ever needs; stops a hostile header from costing many HMAC comparisons. */
const MAX_ENTRIES = 32;

function signatureEntries(header: string): Buffer[] {
  const entries: Buffer[] = [];
  for (const part of header.split(',')) {
    const entry = part.trim();
    if (!entry.startsWith('v1=')) continue;
    const hex = entry.slice(3);
    if (!HEX.test(hex)) continue;
    entries.push(Buffer.from(hex, 'hex'));
    if (entries.length >= MAX_ENTRIES) break;
  }
  return entries;
}

export function verifyPagerDutySignature(
  rawBody: Buffer | Uint8Array,
  header: string | string[] | undefined | null,
  secrets: readonly string[],
): PagerDutySignatureVerdict {
  // Node gives repeated headers as an array; join them as one comma-separated value.
  const value = Array.isArray(header) ? header.join(',') : header;
  if (typeof value !== 'string' || value.trim() === '') return 'malformed';
  const entries = signatureEntries(value);
  if (entries.length === 0) return 'malformed';

  let matched = false;
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(rawBody).digest();
    for (const entry of entries) {
      // No early exit: the time taken does not depend on which entry or secret matched.
      if (entry.length === expected.length && timingSafeEqual(entry, expected)) matched = true;
    }
  }
  return matched ? 'valid' : 'invalid';
}
