import { checkAutomation } from './automation';

const valid = {
  name: 'Refill ES indexes',
  match: { alertnames: ['ESIndexRefill'] },
  action: { type: 'runner', script: 'es-refill-indexes', args: { cluster: '{{labels.cluster}}' } },
  mode: 'auto',
  verify: { within: 'PT10M', resolve: true },
};

describe('checkAutomation', () => {
  it('fills defaults', () => {
    const checked = checkAutomation(valid);
    expect(checked).toEqual({
      automation: {
        name: 'Refill ES indexes',
        match: { alertnames: ['ESIndexRefill'] },
        action: {
          type: 'runner',
          script: 'es-refill-indexes',
          args: { cluster: '{{labels.cluster}}' },
          timeout: 'PT5M',
        },
        mode: 'auto',
        guards: { maxRunsPerHour: 6 },
        verify: { within: 'PT10M', resolve: true },
        enabled: true,
      },
    });
  });

  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no name', { name: '' }, 'name'],
    ['empty match', { match: {} }, 'match'],
    ['unknown severity', { match: { severities: ['P1'] } }, 'match.severities[0]'],
    ['ftp webhook', { action: { type: 'webhook', url: 'ftp://example.com/hook' } }, 'action.url'],
    ['file webhook', { action: { type: 'webhook', url: 'file:///etc/passwd' } }, 'action.url'],
    ['webhook with credentials', { action: { type: 'webhook', url: 'https://u:p@example.com/' } }, 'action.url'],
    ['webhook URL with a NUL', { action: { type: 'webhook', url: 'https://x.test/\u0000' } }, 'action.url'],
    ['script with a path', { action: { type: 'runner', script: '../bin/sh' } }, 'action.script'],
    ['script absolute', { action: { type: 'runner', script: '/bin/sh' } }, 'action.script'],
    ['script with ..', { action: { type: 'runner', script: 'a..b' } }, 'action.script'],
    ['script with a space', { action: { type: 'runner', script: 'rm -rf' } }, 'action.script'],
    [
      'arg name that is not an env name',
      { action: { type: 'runner', script: 'x', args: { 'a-b': '1' } } },
      'action.args.a-b',
    ],
    ['timeout not ISO', { action: { type: 'webhook', url: 'https://x.test', timeout: '10s' } }, 'action.timeout'],
    ['mode', { mode: 'always' }, 'mode'],
    ['cap zero', { guards: { maxRunsPerHour: 0 } }, 'guards.maxRunsPerHour'],
    ['cap too high', { guards: { maxRunsPerHour: 1001 } }, 'guards.maxRunsPerHour'],
    [
      'bad zone',
      { guards: { activeHours: { timeZone: 'Mars/Olympus', from: '09:00', to: '17:00' } } },
      'guards.activeHours.timeZone',
    ],
    [
      'bad day',
      { guards: { activeHours: { timeZone: 'UTC', days: ['monday'], from: '09:00', to: '17:00' } } },
      'guards.activeHours.days[0]',
    ],
    [
      'bad from',
      { guards: { activeHours: { timeZone: 'UTC', from: '9:00', to: '17:00' } } },
      'guards.activeHours.from',
    ],
    ['verify without within', { verify: { resolve: true } }, 'verify.within'],
    ['verify resolve not boolean', { verify: { within: 'PT1M', resolve: 'yes' } }, 'verify.resolve'],
    ['enabled not boolean', { enabled: 'no' }, 'enabled'],
  ];
  it.each(cases)('refuses %s, naming %s', (_, change, path) => {
    const checked = checkAutomation({ ...valid, ...change });
    expect('problems' in checked && checked.problems.map((p) => p.path)).toContain(path);
  });
});
