import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Slack's v0 request signature (docs.slack.dev "Verifying requests from Slack"):
 * `X-Slack-Signature: v0=<hex HMAC-SHA256 of "v0:<X-Slack-Request-Timestamp>:<raw body>">`
 * keyed with the signing secret as UTF-8 bytes.
 *
 * - `malformed`: a header missing or empty, a timestamp that is not whole seconds, or a
 *   signature that is not `v0=` + 64 lower-case hex digits;
 * - `stale`: the timestamp is more than 300 s from `now` either way (a replayed request);
 * - `invalid`: well-formed and fresh, but not ours;
 * - `valid`.
 * Every verdict but `valid` is a 401 and nothing else happens.
 */
export type SlackSignatureVerdict = 'valid' | 'invalid' | 'stale' | 'malformed';

export const SLACK_MAX_SKEW_SECONDS = 300;

const TIMESTAMP = /^\d{1,12}$/;
// Upper-case hex is not what Slack sends, so it never matches (python-slack-sdk agrees).
const SIGNATURE = /^v0=[0-9a-f]{64}$/;

export interface SlackSignatureInput {
  rawBody: Buffer | Uint8Array;
  timestamp: string | string[] | undefined | null;
  signature: string | string[] | undefined | null;
  secret: string;
  /** Server clock, Unix seconds. */
  nowSeconds: number;
}

function single(value: string | string[] | undefined | null): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : (value ?? undefined);
}

export function verifySlackSignature(input: SlackSignatureInput): SlackSignatureVerdict {
  const timestamp = single(input.timestamp)?.trim();
  const signature = single(input.signature)?.trim();
  if (!timestamp || !signature || !TIMESTAMP.test(timestamp)) return 'malformed';
  if (!/^v0=/.test(signature)) return 'malformed';
  if (Math.abs(input.nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return 'stale';
  if (!SIGNATURE.test(signature.toLowerCase())) return 'malformed';
  const expected = Buffer.from(
    'v0=' +
      createHmac('sha256', Buffer.from(input.secret, 'utf8'))
        .update(`v0:${timestamp}:`)
        .update(input.rawBody)
        .digest('hex'),
    'utf8',
  );
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'invalid';
}

/** Signs a body the way Slack does (tests, and the docs' worked example). */
export function signSlackRequest(secret: string, timestamp: string, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}
