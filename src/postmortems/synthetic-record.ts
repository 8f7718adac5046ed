import type { AlertRecord, ChangeRecord, DraftInput, EventRecord } from './build-draft';

/**
 * Synthetic incident records for the unit specs (no I/O): a full SEV1 with alerts, a deploy,
 * roles and a handoff, notes, action items and a saved section; and an incident with nothing
 * but its declaration.
 */
export const T0 = Date.parse('2026-03-14T10:00:00.000Z');
export const at = (minutes: number) => new Date(T0 + minutes * 60_000);

const ID = '3f0c2a4e-8d7b-4c1a-9e2f-5b6a7c8d9e01';
const A1 = '11111111-1111-4111-8111-111111111111';
const A2 = '22222222-2222-4222-8222-222222222222';
const C1 = '33333333-3333-4333-8333-333333333333';
const I1 = '44444444-4444-4444-8444-444444444444';
const I2 = '55555555-5555-4555-8555-555555555555';

export function syntheticRecord(): DraftInput {
  const rows: Array<[number, string, string, Record<string, unknown>]> = [
    [
      0,
      'incident.declared',
      'system',
      {
        number: 42,
        title: 'Checkout 5xx above 5%',
        summary: 'Error ratio on /api/checkout rose sharply',
        severity: 'SEV3',
        service: 'checkout',
        source: 'alert',
        groupKey: 'g1',
      },
    ],
    [
      0,
      'alert.attached',
      'system',
      {
        alertId: A1,
        source: 'alertmanager',
        identity: 'fp1',
        summary: 'High 5xx ratio on api-0',
        severity: 'SEV3',
        firing: true,
      },
    ],
    [
      0,
      'change.correlated',
      'system',
      { changeId: C1, summary: 'Deploy checkout v4711', service: 'checkout', occurredAt: at(-10).toISOString() },
    ],
    [1 / 6, 'notification.sent', 'system', { channel: 'slack', recipient: '#incidents' }],
    [
      1,
      'alert.attached',
      'system',
      {
        alertId: A2,
        source: 'alertmanager',
        identity: 'fp2',
        summary: 'Checkout latency p99 above 2 s',
        severity: 'SEV1',
        firing: true,
      },
    ],
    [1, 'incident.severity_changed', 'system', { from: 'SEV3', to: 'SEV1', reason: 'alert' }],
    [3, 'incident.acknowledged', 'bob', { note: 'on it' }],
    [3, 'incident.role_assigned', 'bob', { role: 'commander', assignee: 'bob', previous: null }],
    [5, 'incident.role_assigned', 'bob', { role: 'deputy', assignee: 'alice', previous: null }],
    [6, 'note.added', 'bob', { noteId: 'n1', text: 'Error ratio 12%, looking at deploy 4711', pinned: false }],
    [9, 'note.added', 'alice', { noteId: 'n2', text: 'Rolling back deploy 4711 <now>', pinned: true }],
    [12, 'incident.commander_handoff', 'bob', { from: 'bob', to: 'alice' }],
    [12, 'incident.role_assigned', 'alice', { role: 'scribe', assignee: 'carol', previous: null }],
    [15, 'incident.mitigated', 'alice', { note: 'rollback complete' }],
    [16, 'alert.resolved', 'system', { alertId: A1 }],
    [17, 'alert.resolved', 'system', { alertId: A2 }],
    [17, 'incident.resolved', 'system', { note: null, automatic: true }],
    [
      25,
      'action_item.added',
      'alice',
      { actionItemId: I1, title: 'Canary checkout deploys', owner: 'alice', dueDate: '2026-03-28', status: 'open' },
    ],
    [
      26,
      'action_item.added',
      'bob',
      { actionItemId: I2, title: 'Alert on error budget burn', owner: null, dueDate: null, status: 'open' },
    ],
    [40, 'action_item.updated', 'bob', { actionItemId: I2, changes: { status: 'done' } }],
    [60, 'postmortem.updated', 'alice', { sections: ['rootCause'] }],
  ];
  const events: EventRecord[] = rows.map(([minutes, type, actor, data], i) => ({
    seq: i + 1,
    type,
    actor,
    occurredAt: at(minutes),
    data,
  }));
  const alert = (
    id: string,
    name: string,
    summary: string,
    severity: 'SEV1' | 'SEV3',
    starts: number,
    ends: number,
  ): AlertRecord => ({
    id,
    source: 'alertmanager',
    identity: `fp-${name}`,
    summary,
    description: null,
    severity,
    status: 'resolved',
    service: 'checkout',
    labels: { alertname: name, service: 'checkout', severity: severity === 'SEV1' ? 'critical' : 'warning' },
    annotations: { summary },
    runbookUrl: `https://runbooks.example.com/${name}`,
    generatorUrl: 'javascript:alert(1)',
    startsAt: at(starts),
    endsAt: at(ends),
    firstSeenAt: at(Math.max(0, starts)),
    resolvedAt: at(ends),
  });
  const changes: ChangeRecord[] = [
    {
      id: C1,
      service: 'checkout',
      summary: 'Deploy checkout v4711',
      source: 'ci.example.com',
      occurredAt: at(-10),
      details: { build: 4711, commit: 'abc123' },
      links: [{ href: 'https://ci.example.com/4711', text: 'Build 4711' }],
    },
    {
      id: '88888888-8888-4888-8888-888888888888',
      service: 'checkout',
      summary: 'Config flag flip',
      source: null,
      occurredAt: at(-30),
      details: {},
      links: [],
    },
    // Another service, and the right service too long before: both left out.
    {
      id: '66666666-6666-4666-8666-666666666666',
      service: 'search',
      summary: 'Deploy search',
      source: null,
      occurredAt: at(-5),
      details: {},
      links: [],
    },
    {
      id: '77777777-7777-4777-8777-777777777777',
      service: 'checkout',
      summary: 'Old deploy',
      source: null,
      occurredAt: at(-200),
      details: {},
      links: [],
    },
  ];
  return {
    incidentId: ID,
    events,
    alerts: [
      alert(A1, 'HighErrorRatio', 'High 5xx ratio on api-0', 'SEV3', -2, 16),
      alert(A2, 'CheckoutLatency', 'Checkout latency p99 above 2 s', 'SEV1', 0.5, 17),
    ],
    changes,
    sections: [
      {
        name: 'rootCause',
        body: 'Deploy 4711 shipped a connection pool of 2.',
        version: 1,
        updatedAt: at(60),
        updatedBy: 'alice',
      },
    ],
    generatedAt: at(90),
    publicUrl: 'https://sitrep.example.com/',
  };
}

/** An incident declared by hand and nothing else: no alerts, roles, notes or changes. */
export function emptyRecord(): DraftInput {
  return {
    incidentId: '9a9a9a9a-1b1b-4c2c-8d3d-4e4e4e4e4e4e',
    events: [
      {
        seq: 1,
        type: 'incident.declared',
        actor: 'alice',
        occurredAt: at(0),
        data: {
          number: 7,
          title: 'Quiet incident',
          summary: null,
          severity: 'SEV4',
          service: null,
          source: 'manual',
          groupKey: null,
        },
      },
    ],
    alerts: [],
    changes: [],
    sections: [],
    generatedAt: at(5),
    publicUrl: null,
  };
}
