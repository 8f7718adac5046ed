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
import { cutCounts, cutText, cutToFit } from './payload-hygiene';
import { AlertSignal, KEPT_VALUE_BYTES, normaliseAlertmanager } from './sources';

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

function cutsOf(source: string): number {
  return cutCounts()
    .filter((c) => c.source === source && c.reason === 'record_size')
    .reduce((sum, c) => sum + c.count, 0);
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

  it('carries a 256 KiB label whole, and cuts only the longest texts of a signal too large for a record', () => {
    const [one] = fixtureSignals('alertmanager/firing-single.json');
    const stack = 's'.repeat(256 * 1024);
    const whole = { ...one, labels: { ...one.labels, stack } };
    const [record] = encodeAlertMessages(head(), [whole]);
    expect(decodeAlertMessage(String(record.value)).signals[0].labels.stack).toBe(stack);

    const before = cutsOf('alertmanager');
    const huge = {
      ...one,
      labels: { ...one.labels, stack: 'h'.repeat(3 << 20) },
      annotations: { ...one.annotations, note: 'n'.repeat(2 << 20) },
    };
    const records = encodeAlertMessages(head(), [huge]);
    expect(records).toHaveLength(1);
    expect(Buffer.byteLength(String(records[0].value))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const [signal] = decodeAlertMessage(String(records[0].value)).signals;
    // Both cut to one common length, far above the 64 KiB floor; everything else whole.
    expect(signal.labels.stack).toMatch(/^h+…\[cut by Sitrep: first \d+ of 3145728 bytes kept\]$/);
    expect(signal.annotations.note).toMatch(/^n+…\[cut by Sitrep: first \d+ of 2097152 bytes kept\]$/);
    expect(signal.labels.stack.indexOf('…')).toBe(signal.annotations.note.indexOf('…'));
    expect(signal.labels.stack.indexOf('…')).toBeGreaterThan(KEPT_VALUE_BYTES);
    expect({ ...signal.labels, stack: undefined }).toEqual({ ...one.labels, stack: undefined });
    expect(signal.summary).toBe(one.summary);
    expect([signal.identity, signal.occurrence, signal.startsAt]).toEqual([one.identity, one.occurrence, one.startsAt]);
    expect(signal.details).toMatchObject({ shrunk: true });
    expect(cutsOf('alertmanager') - before).toBe(2);
  });

  it('bounds what every record repeats: huge common annotations are cut in the head, not in the alerts', () => {
    const signals = fixtureSignals('alertmanager/firing-group.json');
    const delivery = head(signals[0].groupKey);
    const description = 'd'.repeat(1 << 20);
    delivery.meta = {
      service: null,
      alertmanager: {
        receiver: 'r',
        status: 'firing',
        truncatedAlerts: 0,
        externalURL: null,
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: { description, summary: 'Checkout errors' },
      },
    };
    const records = encodeAlertMessages(delivery, signals);
    for (const r of records) expect(Buffer.byteLength(String(r.value))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const decoded = records.map((r) => decodeAlertMessage(String(r.value)));
    const am = decoded[0].kind === 'signals' ? decoded[0].meta.alertmanager! : undefined;
    expect(am?.commonAnnotations.summary).toBe('Checkout errors');
    expect(am?.commonAnnotations.description.length).toBeGreaterThan(KEPT_VALUE_BYTES);
    expect(am?.commonAnnotations.description).toMatch(/…\[cut by Sitrep: first \d+ of 1048576 bytes kept\]$/);
    expect(decoded.flatMap((m) => m.signals)).toEqual(signals);
  });

  it('cuts a change event whose details alone are over a record', () => {
    const change = {
      summary: 'Deploy 4711',
      source: 'ci',
      timestamp: '2026-03-14T10:00:00.000Z',
      service: 'checkout',
      details: { diff: 'x'.repeat(2 << 20) },
      links: [],
    };
    const [record, ...more] = encodeAlertMessages(
      { ...head(), kind: 'change', source: 'pagerduty-events', meta: { service: null, changeId: 'c1', change } },
      [],
    );
    expect(more).toEqual([]);
    const decoded = decodeAlertMessage(String(record.value));
    expect(decoded.kind === 'change' && decoded.meta.change.details.diff).toMatch(/…\[cut by Sitrep/);
    expect(decoded.kind === 'change' && decoded.meta.change.summary).toBe('Deploy 4711');
  });

  it('drops details that are bulk structure rather than text, keeping the alert', () => {
    const [one] = fixtureSignals('alertmanager/firing-single.json');
    const bulky = { ...one, details: { points: Array.from({ length: 100_000 }, (_, i) => [i, `value ${i}`]) } };
    const [record] = encodeAlertMessages(head(), [bulky]);
    expect(Buffer.byteLength(String(record.value))).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const [signal] = decodeAlertMessage(String(record.value)).signals;
    expect(signal.details).toEqual({ shrunk: true, detailsDropped: true });
    expect(signal.labels).toEqual(one.labels);
  });

  it.each([
    ['ascii', 'abcdef', 4, 'abcd…[cut by Sitrep: first 4 of 6 bytes kept]'],
    ['never inside a code point', '€€€', 4, '€…[cut by Sitrep: first 3 of 9 bytes kept]'],
    ['a surrogate pair stays whole or goes', 'a🚨b', 3, 'a…[cut by Sitrep: first 1 of 6 bytes kept]'],
    ['nothing kept', 'xyz', 0, '…[cut by Sitrep: first 0 of 3 bytes kept]'],
  ])('cutText: %s', (_, value, keep, expected) => {
    expect(cutText(value, keep)).toBe(expected);
  });

  it('cutToFit leaves what fits alone, cuts the longest texts to one length, and says when it cannot', () => {
    const value = { id: 'keep-me', labels: { a: 'x'.repeat(5000), b: 'y'.repeat(3000), c: 'short' } };
    expect(cutToFit(value, ['labels'], 100_000)).toEqual({ value, cut: 0 });
    const fitted = cutToFit(value, ['labels'], 2000)!;
    expect(Buffer.byteLength(JSON.stringify(fitted.value))).toBeLessThanOrEqual(2000);
    expect(fitted.cut).toBe(2);
    expect(fitted.value.labels.c).toBe('short');
    expect(fitted.value.labels.a.indexOf('…')).toBe(fitted.value.labels.b.indexOf('…'));
    expect(cutToFit({ id: 'x'.repeat(5000), labels: {} }, ['labels'], 2000)).toBeNull();
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
