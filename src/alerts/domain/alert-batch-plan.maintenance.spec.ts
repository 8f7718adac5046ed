import type { SignalsMessage } from './alert-message-types';
import type { AlertSignal } from './alert-signal';
import { AlertBatchPlan, GroupIncident, HeldAlert, StoredAlert } from './alert-batch-plan';
import type { ActiveWindow } from './maintenance-window';

let counter = 0;
const newId = (): string => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;
const integrationId = newId();
const groupKey = `${integrationId}:deploy`;
const now = new Date('2026-03-14T03:21:00Z');
const deploy: ActiveWindow = { id: 'window-deploy', services: ['search'], endsAt: new Date('2026-03-14T04:00:00Z') };
const longer: ActiveWindow = {
  id: 'window-longer',
  services: ['search', 'billing'],
  endsAt: new Date('2026-03-14T06:00:00Z'),
};

function signal(
  instance: string,
  status: AlertSignal['status'] = 'firing',
  severity: AlertSignal['severity'] = 'SEV2',
): AlertSignal {
  return {
    source: 'alertmanager',
    integrationId,
    identity: `fp-${instance}`,
    occurrence: `fp-${instance}@2026-03-14T03:20:00.000Z`,
    groupKey,
    status,
    severity,
    summary: `Reindex lag on ${instance}`,
    description: null,
    runbookUrl: null,
    generatorUrl: null,
    labels: { alertname: 'ReindexLag', instance },
    annotations: {},
    service: null,
    startsAt: '2026-03-14T03:20:00.000Z',
    endsAt: status === 'resolved' ? '2026-03-14T03:30:00.000Z' : null,
    links: [],
    details: {},
  };
}

function message(signals: AlertSignal[], service: string | null = 'search'): SignalsMessage {
  return {
    v: 1,
    kind: 'signals',
    integrationId,
    source: 'alertmanager',
    groupKey,
    receivedAt: now.toISOString(),
    requestId: newId(),
    signals,
    meta: { service },
  };
}

function plan(windows: ActiveWindow[], incidents: GroupIncident[] = [], existing: StoredAlert[] = []) {
  return new AlertBatchPlan(existing, [], new Map(incidents.map((i) => [i.groupKey, i])), { now, newId, windows });
}

const heldRow = (instance: string): StoredAlert => ({
  id: `alert-${instance}`,
  integrationId,
  source: 'alertmanager',
  identity: `fp-${instance}`,
  occurrence: `fp-${instance}@2026-03-14T03:20:00.000Z`,
  groupKey,
  status: 'firing',
  severity: 'SEV2',
  incidentId: null,
});
const held = (instance: string, severity: HeldAlert['severity'] = 'SEV2'): HeldAlert => ({
  id: `alert-${instance}`,
  source: 'alertmanager',
  identity: `fp-${instance}`,
  groupKey,
  severity,
  summary: `Reindex lag on ${instance}`,
  declaration: { title: 'Reindex lag', summary: null, service: 'search' },
});

const open: GroupIncident = { id: 'inc-open', groupKey, status: 'triggered', resolvedAt: null };
const resolvedRecently: GroupIncident = {
  id: 'inc-recent',
  groupKey,
  status: 'resolved',
  resolvedAt: new Date(now.getTime() - 60_000),
};
const resolvedLongAgo: GroupIncident = {
  id: 'inc-old',
  groupKey,
  status: 'resolved',
  resolvedAt: new Date(now.getTime() - 3600_000),
};

describe('AlertBatchPlan under maintenance windows', () => {
  it.each<[string, ActiveWindow[], GroupIncident[], string | null, string | null]>([
    // name, windows, group incident, message service, → held by
    ['a covered service that would declare', [deploy], [], 'search', deploy.id],
    ['a covered service that would reopen a resolved incident', [deploy], [resolvedRecently], 'search', deploy.id],
    ['a covered service whose last incident is long resolved', [deploy], [resolvedLongAgo], 'search', deploy.id],
    ['the window ending last of two covering it', [deploy, longer], [], 'search', longer.id],
    ['a service no window covers', [deploy], [], 'checkout', null],
    ['an alert of no service', [deploy], [], null, null],
    ['a group with an open incident (it attaches)', [deploy], [open], 'search', null],
    ['no window at all', [], [], 'search', null],
  ])('holds a new firing alert: %s', (_name, windows, incidents, service, heldBy) => {
    const p = plan(windows, incidents);
    p.apply(message([signal('a'), signal('b')], service));
    expect(p.inserts.map((i) => [i.status, i.held_by])).toEqual([
      ['firing', heldBy],
      ['firing', heldBy],
    ]);
    if (heldBy) {
      expect(p.plans.size).toBe(0);
      expect(p.inserts.every((i) => i.incident_id === null)).toBe(true);
      expect(p.inserts[0].held_incident).toEqual({ title: 'Reindex lag on a', summary: null, service });
      expect(p.counts.get('held')).toBe(2);
    } else {
      expect(p.plans.size).toBe(1);
      expect(p.counts.get('held')).toBeUndefined();
    }
  });

  it('a held alert seen again stays held; one that resolves just resolves', () => {
    const p = plan([deploy], [], [heldRow('a'), heldRow('b')]);
    p.apply(message([signal('a', 'firing', 'SEV1'), signal('b', 'resolved')]));
    expect(p.plans.size).toBe(0);
    expect(p.inserts).toEqual([]);
    expect(p.updates.map((u) => [u.id, u.status, u.incident_id, u.severity])).toEqual([
      ['alert-a', 'firing', null, 'SEV1'],
      ['alert-b', 'resolved', null, 'SEV2'],
    ]);
    expect(p.counts.get('repeat')).toBe(1);
    expect(p.counts.get('resolved')).toBe(1);
  });

  it('a resolved notification of a new alert is stored resolved, held by nothing', () => {
    const p = plan([deploy]);
    p.apply(message([signal('a', 'resolved')]));
    expect(p.inserts.map((i) => [i.status, i.held_by])).toEqual([['resolved', null]]);
  });

  describe('release', () => {
    it('declares one incident per group with the worst severity and its held declaration', () => {
      const p = plan([]);
      p.release([held('a', 'SEV3'), held('b', 'SEV1')], { reason: 'Reindex' });
      const [incident] = [...p.plans.values()];
      expect(p.plans.size).toBe(1);
      expect(incident.declare).toEqual({
        title: 'Reindex lag',
        summary: null,
        service: 'search',
        severity: 'SEV1',
        groupKey,
      });
      expect(incident.ops.map((o) => (o.kind === 'attach' ? o.alertId : o.kind))).toEqual([
        'alert-a',
        'alert-b',
        'note',
      ]);
      expect(incident.ops[2]).toMatchObject({
        text: '2 alert(s) held by the maintenance window "Reindex" were still firing when it ended.',
      });
      expect(p.releases).toEqual([
        { alertId: 'alert-a', incidentId: incident.incidentId },
        { alertId: 'alert-b', incidentId: incident.incidentId },
      ]);
      expect(p.counts.get('released')).toBe(2);
    });

    it.each<[string, GroupIncident, string]>([
      ['joins the open incident of its group', open, 'inc-open'],
      ['reopens one resolved less than 30 minutes ago', resolvedRecently, 'inc-recent'],
    ])('%s', (_name, incident, incidentId) => {
      const p = plan([], [incident]);
      p.release([held('a')]);
      expect([...p.plans.values()].map((i) => [i.incidentId, i.declare, i.ops.map((o) => o.kind)])).toEqual([
        [incidentId, undefined, ['attach', 'note']],
      ]);
    });

    it('declares anew when the group incident is long resolved', () => {
      const p = plan([], [resolvedLongAgo]);
      p.release([held('a')]);
      expect([...p.plans.values()][0].declare).toBeDefined();
    });

    it('moves to another window still covering the service, declaring nothing', () => {
      const p = plan([longer]);
      p.release([held('a'), held('b')]);
      expect(p.plans.size).toBe(0);
      expect(p.releases).toEqual([
        { alertId: 'alert-a', heldBy: longer.id },
        { alertId: 'alert-b', heldBy: longer.id },
      ]);
    });

    it('nothing held: nothing planned', () => {
      const p = plan([]);
      p.release([]);
      expect(p.plans.size).toBe(0);
      expect(p.releases).toEqual([]);
    });
  });
});
