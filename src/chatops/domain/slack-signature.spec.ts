import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signSlackRequest, verifySlackSignature } from './slack-signature';

const FIXTURES = join(__dirname, '../../../..', 'shared', 'fixtures', 'slack-inbound');
const vectors = JSON.parse(readFileSync(join(FIXTURES, 'signatures.json'), 'utf8')) as {
  signing_secret: string;
  fixtures: Record<string, { timestamp: string; body_bytes: number; headers: Record<string, string> }>;
  cases: Array<{ id: string; fixture?: string; body?: string; now: number; timestamp: string | null; signature: string | null; expect: string }>;
  documented_vectors: Array<{ signing_secret: string; timestamp: string; body: string; expected: string }>;
};

const body = (fixture: string) => readFileSync(join(FIXTURES, fixture));

describe('verifySlackSignature', () => {
  it.each(Object.entries(vectors.fixtures))('accepts %s with its recorded headers', (file, fixture) => {
    const raw = body(file);
    expect(raw.length).toBe(fixture.body_bytes);
    expect(
      verifySlackSignature({
        rawBody: raw,
        timestamp: fixture.headers['X-Slack-Request-Timestamp'],
        signature: fixture.headers['X-Slack-Signature'],
        secret: vectors.signing_secret,
        nowSeconds: Number(fixture.timestamp) + 1,
      }),
    ).toBe('valid');
  });

  it.each(vectors.cases.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    const raw = c.body !== undefined ? Buffer.from(c.body, 'utf8') : body(c.fixture!);
    expect(
      verifySlackSignature({ rawBody: raw, timestamp: c.timestamp, signature: c.signature, secret: vectors.signing_secret, nowSeconds: c.now }),
    ).toBe(c.expect);
  });

  it("reproduces Slack's documented example", () => {
    for (const v of vectors.documented_vectors) {
      expect(signSlackRequest(v.signing_secret, v.timestamp, v.body)).toBe(v.expected);
      expect(
        verifySlackSignature({ rawBody: Buffer.from(v.body), timestamp: v.timestamp, signature: v.expected, secret: v.signing_secret, nowSeconds: Number(v.timestamp) }),
      ).toBe('valid');
    }
  });

  it.each([
    ['two timestamp headers', ['1773481320', '1773481320'], 'malformed'],
    ['a negative timestamp', '-1773481320', 'malformed'],
    ['a fractional timestamp', '1773481320.5', 'malformed'],
  ] as const)('treats %s as %s', (_name, timestamp, verdict) => {
    const raw = body('slash-command.txt');
    const signature = signSlackRequest(vectors.signing_secret, '1773481320', raw);
    expect(verifySlackSignature({ rawBody: raw, timestamp: timestamp as never, signature, secret: vectors.signing_secret, nowSeconds: 1773481320 })).toBe(verdict);
  });

  it('rejects a truncated signature as malformed and a different body as invalid', () => {
    const raw = body('slash-command.txt');
    const signature = signSlackRequest(vectors.signing_secret, '1773481320', raw);
    const base = { timestamp: '1773481320', secret: vectors.signing_secret, nowSeconds: 1773481320 };
    expect(verifySlackSignature({ ...base, rawBody: raw, signature: signature.slice(0, -2) })).toBe('malformed');
    expect(verifySlackSignature({ ...base, rawBody: Buffer.concat([raw, Buffer.from('&x=1')]), signature })).toBe('invalid');
  });
});
