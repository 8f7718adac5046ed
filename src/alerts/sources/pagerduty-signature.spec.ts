import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { verifyPagerDutySignature } from './pagerduty-signature';

const FIXTURES = path.resolve(__dirname, '../../../..', 'shared', 'fixtures', 'pagerduty-v3');

interface SignatureFixtures {
  secret: string;
  fixtures: Record<string, { body_bytes: number; body_sha256: string; header: string }>;
  cases: Array<{
    id: string;
    fixture: string;
    header: string | null;
    expect: string;
    body_transform?: string;
    body_sha256?: string;
  }>;
}

const signatures = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'signatures.json'), 'utf8')) as SignatureFixtures;
const SECRET = signatures.secret;
const OLD_SECRET = 'an-old-secret-that-no-longer-signs';

function rawBody(file: string): Buffer {
  return fs.readFileSync(path.join(FIXTURES, file));
}

/** The body a case signs: the file bytes, or for the re-indented case the file re-serialised. */
function caseBody(c: SignatureFixtures['cases'][number]): Buffer {
  const raw = rawBody(c.fixture);
  return c.body_transform ? Buffer.from(JSON.stringify(JSON.parse(raw.toString('utf8')), null, 2)) : raw;
}

describe('verifyPagerDutySignature', () => {
  it('has 13 cases and 6 fixture headers to check against', () => {
    expect(signatures.cases).toHaveLength(13);
    expect(Object.keys(signatures.fixtures)).toHaveLength(6);
  });

  it.each(Object.entries(signatures.fixtures))('accepts the header of %s over its exact bytes', (file, f) => {
    const body = rawBody(file);
    expect(body.length).toBe(f.body_bytes);
    expect(verifyPagerDutySignature(body, f.header, [SECRET])).toBe('valid');
    expect(verifyPagerDutySignature(body, f.header, [OLD_SECRET, SECRET])).toBe('valid');
    expect(verifyPagerDutySignature(body, f.header, [OLD_SECRET])).toBe('invalid');
  });

  it.each(signatures.cases.map((c) => [c.id, c] as const))('case %s', (_id, c) => {
    const body = caseBody(c);
    // the bytes are the ones the case was made from
    const sha256 = c.body_sha256 ?? signatures.fixtures[c.fixture].body_sha256;
    expect(createHash('sha256').update(body).digest('hex')).toBe(sha256);
    expect(verifyPagerDutySignature(body, c.header, [SECRET])).toBe(c.expect);
  });

  it('is malformed for undefined, blank and entry-less headers whatever the secrets', () => {
    const body = rawBody('incident.triggered.json');
    for (const header of [undefined, null, '', '   ', ',', 'v1=', 'v1=abc', 'v1=zz', 'sha256=abcd', 'V1=ab']) {
      expect(verifyPagerDutySignature(body, header, [SECRET])).toBe('malformed');
    }
  });

  it('is invalid when there is no secret to check against', () => {
    const { header } = signatures.fixtures['incident.triggered.json'];
    expect(verifyPagerDutySignature(rawBody('incident.triggered.json'), header, [])).toBe('invalid');
    expect(verifyPagerDutySignature(rawBody('incident.triggered.json'), header, [''])).toBe('invalid');
  });

  it('trims spaces around entries, accepts upper-case hex and a header given as an array', () => {
    const body = rawBody('incident.triggered.json');
    const digest = signatures.fixtures['incident.triggered.json'].header.slice(3);
    expect(verifyPagerDutySignature(body, `v1=${'ab'.repeat(32)}, v1=${digest} `, [SECRET])).toBe('valid');
    expect(verifyPagerDutySignature(body, `v1=${digest.toUpperCase()}`, [SECRET])).toBe('valid');
    expect(verifyPagerDutySignature(body, ['v0=00', `v1=${digest}`], [SECRET])).toBe('valid');
  });

  it('is invalid (not an exception) for a v1 entry of the wrong length', () => {
    const body = rawBody('incident.triggered.json');
    expect(verifyPagerDutySignature(body, 'v1=abcd', [SECRET])).toBe('invalid');
    expect(verifyPagerDutySignature(body, `v1=${'00'.repeat(64)}`, [SECRET])).toBe('invalid');
  });

  it('uses the secret as UTF-8 text and the body as raw bytes', () => {
    const secret = 'sécret+/=';
    const body = Buffer.from('{"event":{"data":{"title":"Café “x”"}}}', 'utf8');
    const header = `v1=${createHmac('sha256', Buffer.from(secret, 'utf8')).update(body).digest('hex')}`;
    expect(verifyPagerDutySignature(body, header, [secret])).toBe('valid');
    expect(verifyPagerDutySignature(Buffer.from(body.toString('latin1'), 'utf8'), header, [secret])).toBe('invalid');
    expect(verifyPagerDutySignature(new Uint8Array(body), header, [secret])).toBe('valid');
  });
});
