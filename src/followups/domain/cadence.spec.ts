import { CadenceFacts, durationMs, evolveCadence, lapseOf } from './cadence';

const T0 = '2026-12-04T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const ev = (seq: number, type: string, s: number, data: Record<string, unknown> = {}) => ({ seq, type, occurredAt: at(s), data });

describe('durationMs', () => {
  it.each([
    ['PT2S', 2000],
    ['PT30M', 1_800_000],
    ['PT1H30M', 5_400_000],
    ['P1D', 86_400_000],
    ['P1W', 604_800_000],
    ['P1DT1H', 90_000_000],
    ['PT0S', null],
    ['P', null],
    ['PT', null],
    ['30m', null],
    ['P1M', null],
  ])('%s → %s', (iso, ms) => expect(durationMs(iso)).toBe(ms));
});

describe('evolveCadence and lapseOf', () => {
  const cadences = { SEV1: 'PT30M', SEV2: 'PT1H' };
  const fold = (events: ReturnType<typeof ev>[]) =>
    events.reduce<CadenceFacts | undefined>((f, e) => evolveCadence(f, e), undefined);

  it.each([
    ['declared SEV1: due 30 minutes after declaration', [ev(1, 'incident.declared', 0, { severity: 'SEV1' })], at(1800), `@${T0}`],
    ['an update restarts the clock', [ev(1, 'incident.declared', 0, { severity: 'SEV1' }), ev(2, 'incident.status_update', 600)], at(2400), `@${at(600)}`],
    ['a severity change re-plans the same lapse', [ev(1, 'incident.declared', 0, { severity: 'SEV1' }), ev(2, 'incident.severity_changed', 60, { from: 'SEV1', to: 'SEV2' })], at(3600), `@${T0}`],
    ['no cadence for SEV3', [ev(1, 'incident.declared', 0, { severity: 'SEV3' })], null, null],
    ['resolved: never due', [ev(1, 'incident.declared', 0, { severity: 'SEV1' }), ev(2, 'incident.resolved', 60)], null, null],
    ['reopened: a fresh clock', [ev(1, 'incident.declared', 0, { severity: 'SEV1' }), ev(2, 'incident.resolved', 60), ev(3, 'incident.reopened', 900)], at(2700), `@${at(900)}`],
    ['other events change nothing but the seq', [ev(1, 'incident.declared', 0, { severity: 'SEV2' }), ev(2, 'note.added', 60)], at(3600), `@${T0}`],
  ])('%s', (_, events, dueAt, keySuffix) => {
    const facts = fold(events)!;
    expect(facts.lastSeq).toBe(events.length);
    const lapse = lapseOf('inc-1', facts, cadences);
    expect(lapse?.dueAt.toISOString() ?? null).toBe(dueAt);
    expect(lapse ? lapse.key.slice('inc-1'.length) : null).toBe(keySuffix);
  });

  it('cannot start from an event other than the declaration', () => {
    expect(evolveCadence(undefined, ev(4, 'incident.status_update', 0))).toBeUndefined();
  });
});
