import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { twilioSignature, verifyTwilioSignature } from './twilio-signature';

const FIXTURES = join(__dirname, '../../../..', 'shared', 'fixtures', 'twilio');
const vectors = JSON.parse(readFileSync(`${FIXTURES}/signatures.json`, 'utf8'));
const body = readFileSync(`${FIXTURES}/voice-gather-callback.txt`, 'utf8');
const params = (text: string) => [...new URLSearchParams(text).entries()];

describe('Twilio request signature', () => {
  it('signs the fixture callback as Twilio did', () => {
    const fixture = vectors.fixtures['voice-gather-callback.txt'];
    expect(twilioSignature(vectors.auth_token, fixture.url, params(body))).toBe(fixture.header);
  });

  it.each(
    vectors.cases as Array<{ id: string; url: string; header: string | null; expect: string; body_change?: string }>,
  )('$id → $expect', ({ url, header, expect: expected, body_change }) => {
    const text = body_change ? body.replace('Digits=1', 'Digits=2') : body;
    expect(verifyTwilioSignature(vectors.auth_token, url, params(text), header ?? undefined)).toBe(
      expected === 'valid',
    );
  });

  it('sorts by parameter name, not by the joined string', () => {
    const v = vectors.ordering_vector;
    expect(twilioSignature(v.auth_token, v.url, Object.entries(v.params))).toBe(v.expected);
  });

  const documented = (
    vectors.documented_vectors as Array<{
      id: string;
      auth_token: string;
      url: string;
      params?: Record<string, string>;
      expected?: string;
    }>
  ).filter((v) => v.params && v.expected);
  it.each(documented)('documented vector $id', (v) => {
    expect(verifyTwilioSignature(v.auth_token, v.url, Object.entries(v.params!), v.expected)).toBe(true);
  });
});
