import { parseIncidentCommand } from './parse-incident-command';

describe('parseIncidentCommand', () => {
  it.each([
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
    ['HELP', { kind: 'help' }],
    ['declare SEV1 payments RDS replica is about to crash', { kind: 'declare', severity: 'SEV1', title: 'payments RDS replica is about to crash' }],
    ['declare sev2 Checkout   down', { kind: 'declare', severity: 'SEV2', title: 'Checkout down' }],
    ['declare SEV1 "Payments API returns 502"', { kind: 'declare', severity: 'SEV1', title: 'Payments API returns 502' }],
    ['declare SEV3 “Search is slow”', { kind: 'declare', severity: 'SEV3', title: 'Search is slow' }],
    ['declare SEV1 The "primary" DB is down 🔥 :fire:', { kind: 'declare', severity: 'SEV1', title: 'The "primary" DB is down 🔥 :fire:' }],
    ['declare SEV2 "a" and "b"', { kind: 'declare', severity: 'SEV2', title: '"a" and "b"' }],
    ['declare SEV2 Checkout &amp; payments &lt;down&gt;', { kind: 'declare', severity: 'SEV2', title: 'Checkout & payments <down>' }],
    ['declare SEV1 #42 is not a reference here', { kind: 'declare', severity: 'SEV1', title: '#42 is not a reference here' }],
    ['ack', { kind: 'move', move: 'acknowledge', note: null, incidentNumber: null }],
    ['ack #42', { kind: 'move', move: 'acknowledge', note: null, incidentNumber: 42 }],
    ['acknowledge #7 looking at it', { kind: 'move', move: 'acknowledge', note: 'looking at it', incidentNumber: 7 }],
    ['mitigate rolled back #42', { kind: 'move', move: 'mitigate', note: 'rolled back', incidentNumber: 42 }],
    ['resolve', { kind: 'move', move: 'resolve', note: null, incidentNumber: null }],
    ['Resolve #1042 replica promoted', { kind: 'move', move: 'resolve', note: 'replica promoted', incidentNumber: 1042 }],
    ['commander <@U0ABC123|alice>', { kind: 'role', role: 'commander', person: { slackUserId: 'U0ABC123' }, incidentNumber: null }],
    ['deputy <@U0ABC123|alice>', { kind: 'role', role: 'deputy', person: { slackUserId: 'U0ABC123' }, incidentNumber: null }],
    ['deputy <@U012ABCDEF> #42', { kind: 'role', role: 'deputy', person: { slackUserId: 'U012ABCDEF' }, incidentNumber: 42 }],
    ['deputy #42 <@W012ABCDEF|bea>', { kind: 'role', role: 'deputy', person: { slackUserId: 'W012ABCDEF' }, incidentNumber: 42 }],
    ['scribe @carol', { kind: 'role', role: 'scribe', person: { handle: 'carol' }, incidentNumber: null }],
    ['comms <@U0DEF456> #3', { kind: 'role', role: 'communications', person: { slackUserId: 'U0DEF456' }, incidentNumber: 3 }],
    ['note DB failover started at 09:41', { kind: 'note', text: 'DB failover started at 09:41', incidentNumber: null }],
    ['note #42 "quoted" text & <b> 🚒', { kind: 'note', text: '"quoted" text & <b> 🚒', incidentNumber: 42 }],
    ['note rollback of #1234 done #42', { kind: 'note', text: 'rollback of done #42', incidentNumber: 1234 }],
    ['note see <#C0123|general> please', { kind: 'note', text: 'see <#C0123|general> please', incidentNumber: null }],
    ['update Customers see errors; next update 10:30 #42', { kind: 'update', text: 'Customers see errors; next update 10:30', incidentNumber: 42 }],
    ['status', { kind: 'status', incidentNumber: null }],
    ['status #42', { kind: 'status', incidentNumber: 42 }],
    ['oncall', { kind: 'oncall', schedule: null }],
    ['oncall Payments primary', { kind: 'oncall', schedule: 'Payments primary' }],
    ['oncall "Payments primary"', { kind: 'oncall', schedule: 'Payments primary' }],
  ])('%j', (text, command) => {
    expect(parseIncidentCommand(text)).toEqual({ ok: true, command });
  });

  it.each([
    ['declare', /severity first/],
    ['declare Payments down', /severity first/],
    ['declare SEV5 Payments down', /severity first/],
    ['declare SEV1', /title/],
    ['declare SEV1 ""', /title/],
    ['deputy', /Say who/],
    ['deputy #42', /Say who/],
    ['deputy <@U0ABC123> <@U0DEF456>', /one person/],
    ['commander <https://example.com|link>', /not a person/],
    ['note', /Write the text/],
    ['note #42', /Write the text/],
    ['update', /Write the text/],
    ['status everything', /only an incident/],
    ['escalate #42', /Unknown command "escalate"/],
  ])('refuses %j', (text, problem) => {
    const parsed = parseIncidentCommand(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem).toMatch(problem);
  });

  it('does not take #0 or #12a as an incident', () => {
    expect(parseIncidentCommand('ack #0')).toEqual({ ok: true, command: { kind: 'move', move: 'acknowledge', note: null, incidentNumber: null } });
    expect(parseIncidentCommand('ack #12a')).toEqual({ ok: true, command: { kind: 'move', move: 'acknowledge', note: '#12a', incidentNumber: null } });
  });
});
