import { createHmac } from 'node:crypto';
import { boundedOutput, OUTPUT_LIMIT, signatureHeader } from './signature';

describe('signatureHeader', () => {
  it.each([
    ['{"a":1}', '2026-12-04T03:21:00Z'],
    ['', '2026-12-04T03:21:00.999Z'],
  ])('signs "<t>.<body>" for %j', (body, at) => {
    const header = signatureHeader('whsec_test', body, new Date(at));
    const t = Math.floor(Date.parse(at) / 1000);
    const v1 = createHmac('sha256', 'whsec_test').update(`${t}.${body}`).digest('hex');
    expect(header).toBe(`t=${t},v1=${v1}`);
  });
});

describe('boundedOutput', () => {
  it.each([
    ['short text is kept', 'done', 'done'],
    ['exactly at the limit is kept', 'a'.repeat(OUTPUT_LIMIT), 'a'.repeat(OUTPUT_LIMIT)],
    ['longer text is cut at the limit', 'a'.repeat(OUTPUT_LIMIT + 10), 'a'.repeat(OUTPUT_LIMIT)],
    ['a multi-byte character is not split', 'a'.repeat(OUTPUT_LIMIT - 1) + 'é', 'a'.repeat(OUTPUT_LIMIT - 1)],
  ])('%s', (_, input, expected) => {
    expect(boundedOutput(input)).toBe(expected);
  });
});
