import { severityFromLevel } from '../domain/alert-signal';
import { keyPath, nestsDeeperThan, parseIso8601, parseRfc3339, Problems, readStringMap } from './payload-checks';

describe('parseRfc3339', () => {
  it.each([
    ['2026-03-14T09:26:53.589Z', '2026-03-14T09:26:53.589Z'],
    ['2026-03-14T09:26:53.41Z', '2026-03-14T09:26:53.410Z'],
    ['2026-03-14t09:26:53z', '2026-03-14T09:26:53.000Z'],
    ['2026-03-14T00:30:00+01:00', '2026-03-13T23:30:00.000Z'],
    ['2024-02-29T12:00:00Z', '2024-02-29T12:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-01T00:00:00Z', '0099-06-01T00:00:00.000Z'],
  ])('reads %s as %s', (input, iso) => {
    expect(parseRfc3339(input)?.iso).toBe(iso);
  });

  it.each([
    '2026-03-14T09:26:53.589+0000',
    '2026-03-14T09:26Z',
    '2026-03-14T24:00:00Z',
    '2026-03-14T09:60:00Z',
    '2026-03-14T09:26:60Z',
    '2026-13-01T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-03-14T09:26:53.1234567890Z',
    '2026-03-14T09:26:53+24:00',
    ' 2026-03-14T09:26:53Z',
    `2026-03-14T09:26:53.${'1'.repeat(100)}Z`,
  ])('refuses %s', (input) => {
    expect(parseRfc3339(input)).toBeNull();
  });

  it('refuses what is not a string', () => {
    for (const value of [null, undefined, 0, {}, []]) expect(parseRfc3339(value)).toBeNull();
  });
});

describe('parseIso8601', () => {
  it.each([
    ['2026-03-14T09:26:53.589+0000', '2026-03-14T09:26:53.589Z'],
    ['2026-03-14 09:26:53,5+00', '2026-03-14T09:26:53.500Z'],
    ['2026-03-14T09:26+00:00', '2026-03-14T09:26:00.000Z'],
  ])('reads %s as %s', (input, iso) => {
    expect(parseIso8601(input)?.iso).toBe(iso);
  });

  it.each(['2026-03-14', '2026-03-14T09:26:53', '14/03/2026 09:26', '2026-03-14T09:26:53+0'])('refuses %s', (input) => {
    expect(parseIso8601(input)).toBeNull();
  });
});

describe('severityFromLevel', () => {
  it.each([
    ['critical', 'SEV1'],
    ['Error', 'SEV2'],
    [' WARNING ', 'SEV3'],
    ['info', 'SEV4'],
    ['__proto__', 'SEV4'],
    ['toString', 'SEV4'],
    [undefined, 'SEV4'],
    [3, 'SEV4'],
  ])('%p → %s', (level, expected) => {
    expect(severityFromLevel(level)).toBe(expected);
  });
});

describe('keyPath', () => {
  it('uses dots for identifiers and quotes the rest', () => {
    expect(keyPath('', 'alerts')).toBe('alerts');
    expect(keyPath('alerts[3].labels', 'instance')).toBe('alerts[3].labels.instance');
    expect(keyPath('labels', 'app.kubernetes.io/name')).toBe('labels["app.kubernetes.io/name"]');
    expect(keyPath('labels', 'say "hi"')).toBe('labels["say \\"hi\\""]');
  });
});

describe('readStringMap', () => {
  it('gives {} for absent and null unless required', () => {
    const problems = new Problems();
    expect(readStringMap(undefined, 'a', problems)).toEqual({});
    expect(readStringMap(null, 'a', problems)).toEqual({});
    expect(readStringMap(undefined, 'a', problems, { required: true })).toBeUndefined();
    expect(problems.list).toEqual([{ path: 'a', problem: 'is required (an object of string values)' }]);
  });

  it('copies into a plain object whose prototype stays Object.prototype', () => {
    const map = readStringMap(JSON.parse('{"a":"1","constructor":"c"}'), 'l', new Problems());
    expect(map).toEqual({ a: '1', constructor: 'c' });
    expect(Object.getPrototypeOf(map)).toBe(Object.prototype);
  });
});

describe('nestsDeeperThan', () => {
  it('measures nesting of objects and arrays without recursion', () => {
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [{}] }, 2)).toBe(true);
    expect(nestsDeeperThan({ a: [{}] }, 3)).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(nestsDeeperThan(deep, 32)).toBe(true);
  });
});
