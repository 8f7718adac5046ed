import { isValidDueDate } from './action-item';
import { canTransition, isIncidentStatus, STATUSES } from './incident-status';
import type { IncidentStatus } from './incident-status';
import { isRole, isValidHandle, ROLES } from './roles';
import { isSeverity, isWorse, SEVERITIES, worst } from './severity';
import type { Severity } from './severity';

describe('severity', () => {
  it.each<[Severity, Severity, boolean]>([
    ['SEV1', 'SEV2', true],
    ['SEV1', 'SEV4', true],
    ['SEV3', 'SEV4', true],
    ['SEV2', 'SEV2', false],
    ['SEV4', 'SEV1', false],
    ['SEV3', 'SEV2', false],
  ])('isWorse(%s, %s) is %s', (a, b, expected) => {
    expect(isWorse(a, b)).toBe(expected);
  });

  it.each<[Severity, Severity, Severity]>([
    ['SEV1', 'SEV2', 'SEV1'],
    ['SEV3', 'SEV2', 'SEV2'],
    ['SEV4', 'SEV4', 'SEV4'],
  ])('worst(%s, %s) is %s', (a, b, expected) => {
    expect(worst(a, b)).toBe(expected);
  });

  it('lists the severities worst first and recognises them', () => {
    expect(SEVERITIES).toEqual(['SEV1', 'SEV2', 'SEV3', 'SEV4']);
    expect(SEVERITIES.every(isSeverity)).toBe(true);
    expect(isSeverity('SEV5')).toBe(false);
    expect(isSeverity('sev1')).toBe(false);
    expect(isSeverity(1)).toBe(false);
  });
});

describe('status machine table', () => {
  const allowed: Record<IncidentStatus, IncidentStatus[]> = {
    triggered: ['acknowledged', 'mitigated', 'resolved'],
    acknowledged: ['mitigated', 'resolved'],
    mitigated: ['resolved'],
    resolved: ['triggered'],
  };
  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to] as const));

  it.each(pairs)('%s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(allowed[from].includes(to));
  });

  it('recognises statuses', () => {
    expect(STATUSES.every(isIncidentStatus)).toBe(true);
    expect(isIncidentStatus('closed')).toBe(false);
  });
});

describe('roles and handles', () => {
  it('recognises roles', () => {
    expect(ROLES).toEqual(['commander', 'deputy', 'scribe', 'communications']);
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole('owner')).toBe(false);
  });

  it.each<[unknown, boolean]>([
    ['alice', true],
    ['alice.smith@example', true],
    ['a', true],
    ['x'.repeat(100), true],
    ['é'.repeat(100), true],
    ['x'.repeat(101), false],
    ['', false],
    [' alice', false],
    ['alice bob', false],
    ['alice\tbob', false],
    ['alice\nbob', false],
    ['alice\u0000', false],
    ['alice\u007f', false],
    ['alice\u00a0bob', false],
    [42, false],
    [null, false],
  ])('isValidHandle(%j) is %s', (value, expected) => {
    expect(isValidHandle(value)).toBe(expected);
  });
});

describe('due dates', () => {
  it.each<[unknown, boolean]>([
    ['2025-03-31', true],
    ['2024-02-29', true],
    ['2025-12-31', true],
    ['0001-01-01', true],
    ['2025-02-29', false],
    ['2025-02-30', false],
    ['2025-04-31', false],
    ['2025-13-01', false],
    ['2025-00-10', false],
    ['2025-01-00', false],
    ['2025-1-5', false],
    ['2025-01-05T00:00:00Z', false],
    ['tomorrow', false],
    ['', false],
    [20250105, false],
  ])('isValidDueDate(%j) is %s', (value, expected) => {
    expect(isValidDueDate(value)).toBe(expected);
  });
});
