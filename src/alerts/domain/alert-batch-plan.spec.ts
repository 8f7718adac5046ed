import type { ActionMessage, SignalsMessage } from './alert-message-types';
import type { AlertSignal } from './alert-signal';
import { AlertBatchPlan, GroupIncident, StoredAlert } from './alert-batch-plan';

// Ids are arguments of the domain: a counter makes them readable and the tests deterministic.
let counter = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const integrationId = newId();
const groupKey = `${integrationId}:group`;
const now = new Date('2026-03-14T12:00:00Z');

function signal(
  instance: string,
  status: AlertSignal['status'] = 'firing',
  severity: AlertSignal['severity'] = 'SEV3',
): AlertSignal {
  return {
    source: 'alertmanager',
    integrationId,
    identity: `fp-${instance}`,
    occurrence: `fp-${instance}@2026-03-14T10:00:00.000Z`,
    groupKey,
    status,
    severity,
    summary: `Disk full on ${instance}`,
    description: null,
    runbookUrl: null,
    generatorUrl: null,
    labels: { alertname: 'DiskFull', instance },
    annotations: {},
    service: 'node',
    startsAt: '2026-03-14T10:00:00.000Z',
    endsAt: status === 'resolved' ? '2026-03-14T10:30:00.000Z' : null,
    links: [],
    details: {},
  };
}

function message(signals: AlertSignal[], extra: Partial<SignalsMessage['meta']> = {}): SignalsMessage {
  return {
    v: 1,
    kind: 'signals',
    integrationId,
    source: 'alertmanager',
    groupKey,
    receivedAt: now.toISOString(),
    requestId: newId(),
    signals,
    meta: { service: 'storage', ...extra },
  };
}

function plan(existing: StoredAlert[] = [], incidents: GroupIncident[] = [], eventsLatest: StoredAlert[] = []) {
  return new AlertBatchPlan(existing, eventsLatest, new Map(incidents.map((i) => [i.groupKey, i])), {
    now,
    newId,
  });
}

const opsOf = (p: AlertBatchPlan) =>
  [...p.plans.values()].map((i) => ({ declare: i.declare, ops: i.ops.map((o) => o.kind) }));

describe('AlertBatchPlan', () => {
  it('declares one incident for a new group, with the worst severity, and attaches each new occurrence once', () => {
    const p = plan();
    p.apply(message([signal('a'), signal('b', 'firing', 'SEV1')]));
    p.apply(message([signal('a'), signal('b', 'firing', 'SEV1')])); // the same notification again
    expect(p.inserts).toHaveLength(2);
    expect(opsOf(p)).toEqual([
      {
        declare: { title: 'Disk full on a', summary: null, severity: 'SEV1', service: 'storage', groupKey },
        ops: ['attach', 'attach'],
      },
    ]);
    expect(p.counts.get('repeat')).toBe(2);
  });

  it('joins the open incident, reopens one resolved < 30 min ago, declares after that', () => {
    const open = plan([], [{ id: 'i-open', groupKey, status: 'acknowledged', resolvedAt: null }]);
    open.apply(message([signal('a')]));
    expect([...open.plans.keys()]).toEqual(['i-open']);
    expect(opsOf(open)[0].declare).toBeUndefined();

    const recent = plan(
      [],
      [{ id: 'i-recent', groupKey, status: 'resolved', resolvedAt: new Date(now.getTime() - 29 * 60_000) }],
    );
    recent.apply(message([signal('a')]));
    expect([...recent.plans.keys()]).toEqual(['i-recent']);

    const old = plan(
      [],
      [{ id: 'i-old', groupKey, status: 'resolved', resolvedAt: new Date(now.getTime() - 31 * 60_000) }],
    );
    old.apply(message([signal('a')]));
    expect([...old.plans.keys()]).not.toContain('i-old');
    expect(opsOf(old)[0].declare).toBeDefined();
  });

  it('resolves a firing occurrence on its own incident; resolved-before-firing stays resolved', () => {
    const firing: StoredAlert = {
      id: 'alert-1',
      integrationId,
      source: 'alertmanager',
      identity: 'fp-a',
      occurrence: 'fp-a@2026-03-14T10:00:00.000Z',
      groupKey,
      status: 'firing',
      severity: 'SEV3',
      incidentId: 'i-1',
    };
    const p = plan([firing]);
    p.apply(message([signal('a', 'resolved'), signal('b', 'resolved')]));
    p.apply(message([signal('b')])); // late firing of an occurrence first seen resolved
    expect(opsOf(p)).toEqual([{ declare: undefined, ops: ['resolve'] }]);
    expect(p.updates.map((u) => [u.id, u.status])).toEqual([['alert-1', 'resolved']]);
    expect(p.inserts.map((i) => [i.identity, i.status, i.incident_id])).toEqual([['fp-b', 'resolved', null]]);
    expect(p.counts.get('ignored')).toBe(1);
  });

  it('adds a note when Alertmanager truncated the group', () => {
    const p = plan();
    p.apply(
      message([signal('a')], {
        alertmanager: {
          receiver: 'r',
          status: 'firing',
          truncatedAlerts: 3,
          externalURL: 'http://am',
          groupLabels: {},
          commonLabels: {},
          commonAnnotations: {},
        },
      }),
    );
    const [incident] = p.plans.values();
    expect(incident.ops.map((o) => o.kind)).toEqual(['attach', 'note']);
    expect(incident.ops[1]).toMatchObject({ text: expect.stringContaining('truncatedAlerts = 3') });
  });

  it('Events API: acknowledge and resolve name the latest open alert; a trigger after resolve is a new alert', () => {
    const trigger = (): SignalsMessage => ({
      ...message([{ ...signal('x'), source: 'pagerduty-events', identity: 'dk', occurrence: 'dk' }]),
      source: 'pagerduty-events',
      deliveryId: newId(),
    });
    const action = (a: 'acknowledge' | 'resolve'): ActionMessage => ({
      v: 1,
      kind: 'pd-action',
      integrationId,
      source: 'pagerduty-events',
      groupKey,
      receivedAt: now.toISOString(),
      requestId: newId(),
      deliveryId: newId(),
      signals: [],
      meta: { service: null, action: a, dedupKey: 'dk' },
    });
    const p = plan();
    p.apply(action('resolve')); // nothing open: dropped, as PagerDuty does
    p.apply(trigger());
    p.apply(action('acknowledge'));
    p.apply(action('resolve'));
    p.apply(trigger());
    expect(p.inserts.map((i) => i.status)).toEqual(['resolved', 'firing']);
    expect(new Set(p.inserts.map((i) => i.occurrence)).size).toBe(2);
    expect(opsOf(p)[0].ops).toEqual(['attach', 'acknowledge', 'resolve', 'attach']);
    expect(p.skipped).toHaveLength(1);
  });
});

describe('change correlation', () => {
  const change = { changeId: 'chg-1', summary: 'Deploy search v42', service: 'storage', occurredAt: '2026-03-14T11:30:00.000Z' };

  it('a new change is correlated with every incident of its service declared in the hour after', () => {
    const p = plan();
    p.correlateChange(change, true, ['inc-a', 'inc-b']);
    expect(opsOf(p)).toEqual([
      { declare: undefined, ops: ['correlate'] },
      { declare: undefined, ops: ['correlate'] },
    ]);
    expect(p.counts.get('change')).toBe(1);
  });

  it.each([
    ['a redelivered change', false, 'storage'],
    ['a change of no service', true, null],
  ])('%s changes nothing', (_name, isNew, service) => {
    const p = plan();
    p.correlateChange({ ...change, service }, isNew, ['inc-a']);
    expect(opsOf(p)).toEqual([]);
    expect(p.counts.get('change')).toBeUndefined();
  });

  it("a declared incident takes its service's recent changes first, oldest first, before its alerts", () => {
    const p = plan();
    p.apply(message([signal('db-1')]));
    const [{ incidentId, service }] = p.declaredServices();
    expect(service).toBe('storage');
    p.correlateDeclared(incidentId, [
      { ...change, changeId: 'older', occurredAt: '2026-03-14T11:10:00.000Z' },
      { ...change, changeId: 'newer', occurredAt: '2026-03-14T11:40:00.000Z' },
    ]);
    const ops = p.plans.get(incidentId)!.ops;
    expect(ops.map((o) => (o.kind === 'correlate' ? o.change.changeId : o.kind))).toEqual(['older', 'newer', 'attach']);
  });

  it('an incident that was not declared by the batch takes no recent changes', () => {
    const p = plan();
    p.correlateDeclared('inc-x', [change]);
    expect(opsOf(p)).toEqual([]);
  });
});
