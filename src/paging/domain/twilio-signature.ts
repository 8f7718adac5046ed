import { createHmac, timingSafeEqual } from 'crypto';

/**
 * Twilio's `X-Twilio-Signature`: base64 HMAC-SHA1, keyed with the auth token, of the full URL
 * Twilio requested followed by each POST parameter (sorted by name; a repeated name by value)
 * as name then value with no separators. Twilio signs the URL with or without the default
 * port, so both forms are accepted, as every official SDK does. Constant-time comparison.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
): string {
  const sorted = [...params].sort(([an, av], [bn, bv]) => compare(an, bn) || compare(av, bv));
  const text = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', Buffer.from(authToken, 'utf8')).update(Buffer.from(text, 'utf8')).digest('base64');
}

export function verifyTwilioSignature(
  authToken: string,
  url: string,
  params: ReadonlyArray<readonly [string, string]>,
  header: string | undefined,
): boolean {
  if (!header) return false;
  const given = Buffer.from(header, 'utf8');
  let ok = false;
  for (const candidate of urlForms(url)) {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params), 'utf8');
    // Every form is compared, so the time taken says nothing about which one matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

/** The URL as given (and WHATWG-normalised), with the scheme's default port added, and with any port removed. */
function urlForms(url: string): string[] {
  const forms = new Set([url]);
  // twilio-node signs the WHATWG-normalised URL (an apostrophe becomes %27).
  const normalised = URL.canParse(url) ? new URL(url).href : url;
  for (const form of new Set([url, normalised])) for (const f of portForms(form)) forms.add(f);
  return [...forms];
}

function portForms(url: string): string[] {
  const m = /^(https?):\/\/([^/:?#]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, host, port, rest] = m;
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  const forms = new Set([url, `${scheme}://${host}${rest}`]);
  if (!port || port === defaultPort) forms.add(`${scheme}://${host}:${defaultPort}${rest}`);
  return [...forms];
}

function compare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
