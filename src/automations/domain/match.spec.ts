import { AutomationMatch } from './automation';
import { AlertFacts, matches, occurrenceKey } from './match';

const es: AlertFacts = {
  service: 'search',
  severity: 'SEV2',
  labels: { alertname: 'ESIndexRefill', cluster: 'es-prod-1' },
};

describe('matches', () => {
  const cases: Array<[string, AutomationMatch, AlertFacts, boolean]> = [
    ['service listed', { services: ['search', 'api'] }, es, true],
    ['service not listed', { services: ['api'] }, es, false],
    ['alert without service', { services: ['search'] }, { ...es, service: null }, false],
    ['alertname listed', { alertnames: ['ESIndexRefill'] }, es, true],
    ['alertname differs', { alertnames: ['DiskFull'] }, es, false],
    ['no alertname label', { alertnames: ['ESIndexRefill'] }, { ...es, labels: {} }, false],
    ['severity listed', { severities: ['SEV1', 'SEV2'] }, es, true],
    ['severity not listed', { severities: ['SEV1'] }, es, false],
    ['labels exact', { labels: { cluster: 'es-prod-1' } }, es, true],
    ['labels are not prefixes', { labels: { cluster: 'es-prod' } }, es, false],
    ['label absent', { labels: { region: 'eu' } }, es, false],
    [
      'every field must hold',
      { services: ['search'], alertnames: ['ESIndexRefill'], labels: { cluster: 'es-prod-2' } },
      es,
      false,
    ],
    [
      'all fields hold',
      { services: ['search'], alertnames: ['ESIndexRefill'], severities: ['SEV2'], labels: { cluster: 'es-prod-1' } },
      es,
      true,
    ],
    ['an empty match matches nothing', {}, es, false],
    ['inherited keys are not labels', { labels: { toString: 'x' } }, es, false],
  ];
  it.each(cases)('%s', (_, match, alert, expected) => {
    expect(matches(match, alert)).toBe(expected);
  });
});

describe('occurrenceKey', () => {
  it.each([
    [
      'a resend of the same firing is the same occurrence',
      'fp1',
      '2026-12-04T03:21:00Z',
      'fp1',
      '2026-12-04T03:21:00.000Z',
      true,
    ],
    ['a new startsAt is a new occurrence', 'fp1', '2026-12-04T03:21:00Z', 'fp1', '2026-12-04T04:00:00Z', false],
    ['another alert is another occurrence', 'fp1', '2026-12-04T03:21:00Z', 'fp2', '2026-12-04T03:21:00Z', false],
  ])('%s', (_, idA, atA, idB, atB, same) => {
    expect(occurrenceKey(idA, atA) === occurrenceKey(idB, atB)).toBe(same);
  });
});
