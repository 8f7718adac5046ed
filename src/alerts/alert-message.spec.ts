import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  AlertMessageError,
  AlertMessageHead,
  decodeAlertMessage,
  encodeAlertMessages,
  MAX_RECORD_BYTES,
} from './alert-message';
import { AlertSignal, normaliseAlertmanager } from './sources';

const FIXTURES = path.resolve(__dirname, '../../..', 'shared', 'fixtures');
const integrationId = randomUUID();

function fixtureSignals(file: string): AlertSignal[] {
  const result = normaliseAlertmanager(JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8')), integrationId);
  if (!result.ok) throw new Error('fixture did not normalise');
  return result.signals.map((s) => ({ ...s, groupKey: `${integrationId}:${s.groupKey}` }));
}

function head(groupKey = `${integrationId}:g`): AlertMessageHead {
  return {
    v: 1,
    kind: 'signals',
    integrationId,
    source: 'alertmanager',
    groupKey,
    receivedAt: '2026-03-14T10:00:00.000Z',
    requestId: randomUUID(),
    meta: { service: null },
  };
}

describe('alert message v1', () => {
  it('round-trips normalised signals exactly, leaving out what the envelope and annotations say', () => {
    const signals = fixtureSignals('alertmanager/mixed.json');
    const [record] = encodeAlertMessages(head(signals[0].groupKey), signals);
    expect(record.key).toBe(signals[0].groupKey);
    const wire = JSON.parse(String(record.value));
    expect(wire).toMatchObject({ v: 1, kind: 'signals', integrationId });
    expect(wire.signals[0]).not.toHaveProperty('summary');
    expect(wire.signals[0]).not.toHaveProperty('details');
    expect(decodeAlertMessage(Buffer.from(String(record.value))).signals).toEqual(signals);
  });

  it('splits a 5,000-alert group into records under the limit, in order, each complete', () => {
    const [one] = fixtureSignals('alertmanager/firing-single.json');
    const signals = Array.from({ length: 5000 }, (_, i) => ({
      ...one,
      identity: i.toString(16).padStart(16, '0'),
      occurrence: `${i.toString(16).padStart(16, '0')}@${one.startsAt}`,
      labels: { ...one.labels, instance: `api-${i}` },
    }));
    const records = encodeAlertMessages(head(), signals);
    expect(records.length).toBeGreaterThan(1);
    for (const r of records) expect(Buffer.byteLength(String(r.value))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const decoded = records.map((r) => decodeAlertMessage(String(r.value)));
    expect(decoded.map((m) => m.part)).toEqual(records.map((_, index) => ({ index, count: records.length })));
    expect(decoded.flatMap((m) => m.signals.map((s) => s.labels.instance))).toEqual(
      signals.map((s) => s.labels.instance),
    );
  });

  it('turns NUL and unpaired surrogates into U+FFFD, and shrinks a signal too large for any record', () => {
    const [one] = fixtureSignals('alertmanager/firing-single.json');
    const dirty = {
      ...one,
      summary: 'a\u0000b\ud800c',
      labels: { ...one.labels, big: 'x'.repeat(65_000), job: '\udc00' },
    };
    const wide = {
      ...one,
      labels: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`l${i}`, 'y'.repeat(60_000)])),
    };
    const records = encodeAlertMessages(head(), [dirty, wide], 200_000);
    expect(records.every((r) => !/\\u0000|\\ud[89a-f]/i.test(String(r.value)))).toBe(true);
    const signals = records.flatMap((r) => decodeAlertMessage(String(r.value)).signals);
    expect(signals[0].summary).toBe('a\ufffdb\ufffdc');
    expect(signals[0].labels.job).toBe('\ufffd');
    expect(signals[1].details).toMatchObject({ shrunk: true });
    expect(signals[1].identity).toBe(one.identity);
  });

  it('refuses what it does not understand', () => {
    expect(() => decodeAlertMessage('not json')).toThrow(AlertMessageError);
    expect(() => decodeAlertMessage(JSON.stringify({ v: 2 }))).toThrow(/unsupported version/);
    const [record] = encodeAlertMessages(head(), fixtureSignals('alertmanager/firing-single.json'));
    const broken = JSON.parse(String(record.value));
    broken.signals[0].status = 'exploded';
    expect(() => decodeAlertMessage(JSON.stringify(broken))).toThrow(/signals\[0\]/);
  });
});
