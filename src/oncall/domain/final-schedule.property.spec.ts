import fc from 'fast-check';
import { finalShifts, onCallAt, type Override, type ScheduleVersion, type Shift } from './final-schedule';
import { DAY_NAMES, type Layer } from './schedule-definition';

/**
 * Properties of the resolver over random schedules (zones with DST, both rotation kinds,
 * overnight restrictions, overlapping overrides, edits):
 * - shifts are ordered, never overlap, stay inside the range, and two touching shifts are never
 *   the same person from the same source (they would have been merged);
 * - asking for [a, c) is asking for [a, b) and [b, c) and joining the answers (clipping and
 *   merging never depend on where a range happens to start or end);
 * - on call at an instant is the shift of the range holding it.
 */

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'UTC'];
const BASE = Date.parse('2027-03-01T00:00:00Z');
const HOUR = 3600_000;
const pad = (n: number) => String(n).padStart(2, '0');

const clock = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 30)).map(([h, m]) => `${pad(h)}:${pad(m)}`);
const layer = fc.record({
  members: fc.subarray(['alice', 'bob', 'carol', 'dave'], { minLength: 1 }),
  start: fc.tuple(fc.integer({ min: 1, max: 28 }), clock).map(([d, c]) => `2027-02-${pad(d)}T${c}`),
  rotation: fc.constantFrom('PT8H', 'PT12H', 'PT36H', 'P1D', 'P2D', 'P1W'),
  restrictions: fc.option(
    fc.array(fc.record({ days: fc.subarray([...DAY_NAMES], { minLength: 1 }), from: clock, to: clock }), {
      minLength: 1,
      maxLength: 2,
    }),
    { nil: undefined },
  ),
});
const schedule = fc.record({
  zone: fc.constantFrom(...ZONES),
  layers: fc.array(layer, { minLength: 1, maxLength: 3 }),
  editAt: fc.option(fc.integer({ min: 0, max: 40 * 24 }), { nil: undefined }),
  editedLayers: fc.array(layer, { minLength: 1, maxLength: 2 }),
  overrides: fc.array(
    fc.record({
      handle: fc.constantFrom('erin', 'frank', 'alice'),
      startHour: fc.integer({ min: 0, max: 40 * 24 }),
      hours: fc.integer({ min: 1, max: 72 }),
      createdHour: fc.integer({ min: -100, max: 40 * 24 }),
    }),
    { maxLength: 4 },
  ),
});

type GeneratedSchedule = typeof schedule extends fc.Arbitrary<infer T> ? T : never;
type GeneratedLayer = typeof layer extends fc.Arbitrary<infer T> ? T : never;

function inputs(s: GeneratedSchedule) {
  const named = (layers: GeneratedLayer[]): Layer[] => layers.map((l, i) => ({ name: `layer${i}`, ...l }));
  const versions: ScheduleVersion[] = [
    { validFrom: null, definition: { name: 's', timeZone: s.zone, layers: named(s.layers) } },
  ];
  if (s.editAt !== undefined) {
    versions.push({
      validFrom: BASE + s.editAt * HOUR,
      definition: { name: 's', timeZone: s.zone, layers: named(s.editedLayers) },
    });
  }
  const overrides: Override[] = s.overrides.map((o, i) => ({
    id: `o${i}`,
    handle: o.handle,
    start: BASE + o.startHour * HOUR,
    end: BASE + (o.startHour + o.hours) * HOUR,
    createdAt: BASE + o.createdHour * HOUR,
    deletedAt: null,
    seq: i + 1,
  }));
  return { versions, overrides };
}

function join(a: Shift[], b: Shift[]): Shift[] {
  const joined = [...a.map((s) => ({ ...s }))];
  for (const shift of b) {
    const last = joined[joined.length - 1];
    if (last && last.end === shift.start && last.handle === shift.handle && last.source === shift.source)
      last.end = shift.end;
    else joined.push({ ...shift });
  }
  return joined;
}

describe('resolver properties over random schedules', () => {
  const from = BASE;
  const to = BASE + 40 * 24 * HOUR;

  it('shifts are ordered, disjoint, inside the range and merged', () => {
    fc.assert(
      fc.property(schedule, (s) => {
        const shifts = finalShifts({ ...inputs(s), from, to });
        shifts.forEach((shift, i) => {
          expect(shift.start).toBeLessThan(shift.end);
          expect(shift.start).toBeGreaterThanOrEqual(from);
          expect(shift.end).toBeLessThanOrEqual(to);
          const previous = shifts[i - 1];
          if (previous) {
            expect(previous.end).toBeLessThanOrEqual(shift.start);
            if (previous.end === shift.start)
              expect([previous.handle, previous.source]).not.toEqual([shift.handle, shift.source]);
          }
        });
      }),
      { numRuns: 60 },
    );
  });

  it('[a, c) is [a, b) joined with [b, c)', () => {
    fc.assert(
      fc.property(
        schedule,
        fc.integer({ min: 1, max: 40 * 24 - 1 }),
        fc.integer({ min: 0, max: 59 }),
        (s, hour, minute) => {
          const b = from + hour * HOUR + minute * 60_000;
          const input = inputs(s);
          const whole = finalShifts({ ...input, from, to });
          expect(join(finalShifts({ ...input, from, to: b }), finalShifts({ ...input, from: b, to }))).toEqual(whole);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('on call at an instant is the shift holding it', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 0, max: 40 * 24 * 60 - 1 }), (s, minute) => {
        const at = from + minute * 60_000;
        const input = inputs(s);
        const holding = finalShifts({ ...input, from: at, to: at + 1 })[0];
        const found = onCallAt({ ...input, at });
        expect(found?.handle ?? null).toBe(holding?.handle ?? null);
        expect(found?.source ?? null).toBe(holding?.source ?? null);
        if (found) expect(found.start <= at && at < found.end).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
