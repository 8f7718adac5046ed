import { buildDraft, EventRecord, lifecycleTimes } from './build-draft';
import { SECTION_NAMES } from './postmortem-draft';
import { at, emptyRecord, syntheticRecord } from './synthetic-record';

const seconds = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 1000);

describe('buildDraft', () => {
  describe('given a SEV1 with alerts, a deploy, a handoff, notes and action items', () => {
    const draft = buildDraft(syntheticRecord());

    it('starts at the first alert, which fired before the declaration', () => {
      expect(draft.times).toEqual({
        start: at(-2).toISOString(),
        startSource: 'first_alert',
        detectedAt: at(0).toISOString(),
        acknowledgedAt: at(3).toISOString(),
        mitigatedAt: at(15).toISOString(),
        resolvedAt: at(17).toISOString(),
      });
    });

    it('measures every metric from the start, in whole seconds', () => {
      const start = at(-2);
      expect(draft.metrics).toEqual({
        durationSeconds: seconds(start, at(17)),
        timeToDetectSeconds: 120,
        timeToAcknowledgeSeconds: seconds(start, at(3)),
        timeToMitigateSeconds: seconds(start, at(15)),
        timeToResolveSeconds: seconds(start, at(17)),
        reopenCount: 0,
        alertCount: 2,
        noteCount: 2,
        pinnedNoteCount: 1,
      });
      expect(draft.metrics.timeToAcknowledgeSeconds).toBe(300);
      expect(draft.metrics.durationSeconds).toBe(1140);
    });

    it('keeps the current severity, the worst one and the history', () => {
      expect(draft.incident).toMatchObject({
        number: 42,
        severity: 'SEV1',
        worstSeverity: 'SEV1',
        status: 'resolved',
        service: 'checkout',
      });
      expect(draft.severityHistory.map((s) => [s.from, s.severity, s.reason])).toEqual([
        [null, 'SEV3', null],
        ['SEV3', 'SEV1', 'alert'],
      ]);
      expect(draft.statusHistory.map((s) => s.event)).toEqual(['declared', 'acknowledged', 'mitigated', 'resolved']);
    });

    it('says who held each role and when, handoffs included', () => {
      expect(draft.roles.current).toEqual({ commander: 'alice', deputy: null, scribe: 'carol', communications: null });
      expect(draft.roles.assignments).toEqual([
        {
          role: 'commander',
          holder: 'bob',
          from: at(3).toISOString(),
          to: at(12).toISOString(),
          via: 'assigned',
          assignedBy: 'bob',
          endedBy: 'handoff',
        },
        {
          role: 'commander',
          holder: 'alice',
          from: at(12).toISOString(),
          to: null,
          via: 'handoff',
          assignedBy: 'bob',
          endedBy: null,
        },
        {
          role: 'deputy',
          holder: 'alice',
          from: at(5).toISOString(),
          to: at(12).toISOString(),
          via: 'assigned',
          assignedBy: 'bob',
          endedBy: 'handoff',
        },
        {
          role: 'scribe',
          holder: 'carol',
          from: at(12).toISOString(),
          to: null,
          via: 'assigned',
          assignedBy: 'alice',
          endedBy: null,
        },
      ]);
      expect(draft.roles.handoffs).toEqual([{ at: at(12).toISOString(), from: 'bob', to: 'alice', actor: 'bob' }]);
    });

    it('lists the alerts with labels, summaries and runbooks, and when each stopped firing', () => {
      expect(draft.alerts.map((a) => [a.name, a.summary, a.runbookUrl, a.startsAt, a.endsAt])).toEqual([
        [
          'HighErrorRatio',
          'High 5xx ratio on api-0',
          'https://runbooks.example.com/HighErrorRatio',
          at(-2).toISOString(),
          at(16).toISOString(),
        ],
        [
          'CheckoutLatency',
          'Checkout latency p99 above 2 s',
          'https://runbooks.example.com/CheckoutLatency',
          at(0.5).toISOString(),
          at(17).toISOString(),
        ],
      ]);
      expect(draft.alerts[0].labels).toEqual({ alertname: 'HighErrorRatio', service: 'checkout', severity: 'warning' });
    });

    it("keeps the service's changes of the hour before the start and marks the correlated one", () => {
      expect(draft.changes.map((c) => [c.summary, c.secondsBeforeStart, c.correlated])).toEqual([
        ['Config flag flip', 28 * 60, false],
        ['Deploy checkout v4711', 8 * 60, true],
      ]);
      expect(draft.changes[1].links).toEqual([{ href: 'https://ci.example.com/4711', text: 'Build 4711' }]);
    });

    it('carries the full timeline in words, pinned notes marked', () => {
      expect(draft.timeline).toHaveLength(21);
      expect(draft.timeline.map((e) => e.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      const notes = draft.timeline.filter((e) => e.kind === 'note');
      expect(notes.map((n) => [n.text, n.pinned])).toEqual([
        ['Error ratio 12%, looking at deploy 4711', false],
        ['Rolling back deploy 4711 <now>', true],
      ]);
      const texts = draft.timeline.map((e) => e.text);
      expect(texts).toContain('Command handed off from bob to alice');
      expect(texts).toContain('Severity SEV3 → SEV1 (a worse alert)');
      expect(texts).toContain('Alert resolved: High 5xx ratio on api-0');
      expect(texts).toContain('Action item "Alert on error budget burn": done');
      expect(texts).toContain('Postmortem edited: Root cause');
    });

    it('lists action items with owners and status', () => {
      expect(draft.actionItems.open).toBe(1);
      expect(draft.actionItems.done).toBe(1);
      expect(draft.actionItems.items.map((i) => [i.title, i.owner, i.dueDate, i.status])).toEqual([
        ['Canary checkout deploys', 'alice', '2026-03-28', 'open'],
        ['Alert on error budget burn', null, null, 'done'],
      ]);
    });

    it('keeps saved sections and gives the empty ones a placeholder', () => {
      expect(Object.keys(draft.sections)).toEqual([...SECTION_NAMES]);
      expect(draft.sections.rootCause).toMatchObject({
        content: 'Deploy 4711 shipped a connection pool of 2.',
        updatedBy: 'alice',
      });
      for (const name of SECTION_NAMES.filter((n) => n !== 'rootCause')) {
        expect(draft.sections[name].content).toBeNull();
        expect(draft.sections[name].placeholder.length).toBeGreaterThan(20);
      }
      expect(draft.version).toBe(1);
      expect(draft.incidentVersion).toBe(21);
      expect(draft.schemaVersion).toBe(1);
      expect(draft.url).toBe('https://sitrep.example.com/incidents/3f0c2a4e-8d7b-4c1a-9e2f-5b6a7c8d9e01');
    });

    it('is plain JSON', () => {
      expect(JSON.parse(JSON.stringify(draft))).toEqual(draft);
    });
  });

  describe('given an incident with nothing but its declaration', () => {
    const draft = buildDraft(emptyRecord());

    it('builds, with no metric past detection and every section a placeholder', () => {
      expect(draft.times.start).toBe(at(0).toISOString());
      expect(draft.times.startSource).toBe('declaration');
      expect(draft.metrics).toEqual({
        durationSeconds: null,
        timeToDetectSeconds: 0,
        timeToAcknowledgeSeconds: null,
        timeToMitigateSeconds: null,
        timeToResolveSeconds: null,
        reopenCount: 0,
        alertCount: 0,
        noteCount: 0,
        pinnedNoteCount: 0,
      });
      expect(draft.alerts).toEqual([]);
      expect(draft.changes).toEqual([]);
      expect(draft.roles.assignments).toEqual([]);
      expect(draft.actionItems).toEqual({ open: 0, done: 0, items: [] });
      expect(Object.values(draft.sections).every((s) => s.content === null)).toBe(true);
      expect(draft.version).toBe(0);
      expect(draft.url).toBeNull();
    });
  });

  it('describes every kind of event, reopen and escalation included', () => {
    const record = emptyRecord();
    const more: Array<[number, string, string, Record<string, unknown>]> = [
      [1, 'incident.updated', 'alice', { title: { from: 'Quiet incident', to: 'Loud incident' } }],
      [2, 'incident.escalated', 'system', { target: 'sre-oncall', reason: 'not acknowledged within 300 s' }],
      [3, 'notification.failed', 'system', { channel: 'email', recipient: 'ops@example.com', reason: 'SMTP 550' }],
      [4, 'incident.resolved', 'alice', { note: 'false alarm', automatic: false }],
      [5, 'incident.reopened', 'bob', { note: null, reason: 'it is back' }],
      [6, 'incident.role_assigned', 'bob', { role: 'communications', assignee: 'dave', previous: null }],
      [7, 'incident.role_unassigned', 'bob', { role: 'communications', previous: 'dave' }],
    ];
    record.events = [
      ...record.events,
      ...more.map(([minutes, type, actor, data], i): EventRecord => ({
        seq: i + 2,
        type,
        actor,
        occurredAt: at(minutes),
        data,
      })),
    ];
    const draft = buildDraft(record);
    expect(draft.timeline.map((e) => e.text)).toEqual([
      'Declared SEV4: Quiet incident',
      'Title changed to "Loud incident"',
      'Escalated to sre-oncall: not acknowledged within 300 s',
      'Notifying ops@example.com by email failed: SMTP 550',
      'Resolved: false alarm',
      'Reopened: it is back',
      'dave is communications lead',
      'dave is no longer communications lead',
    ]);
    expect(draft.incident.title).toBe('Loud incident');
    expect(draft.times.resolvedAt).toBeNull();
    // Resolving without mitigating first counts as mitigation; the reopen keeps it.
    expect(draft.times.mitigatedAt).toBe(at(4).toISOString());
    expect(draft.metrics.reopenCount).toBe(1);
    expect(draft.roles.assignments).toEqual([
      expect.objectContaining({
        role: 'communications',
        holder: 'dave',
        to: at(7).toISOString(),
        endedBy: 'unassigned',
      }),
    ]);
  });
});

describe('lifecycleTimes', () => {
  const e = (type: string, minutes: number) => ({ type, occurredAt: at(minutes) });

  it('starts at the declaration when every alert started later', () => {
    const times = lifecycleTimes([e('incident.declared', 0)], [at(1), at(2)]);
    expect(times.start).toEqual(at(0));
    expect(times.startSource).toBe('declaration');
  });

  it('takes the first acknowledgement and the last resolution after reopens', () => {
    const times = lifecycleTimes(
      [
        e('incident.declared', 0),
        e('incident.acknowledged', 2),
        e('incident.mitigated', 5),
        e('incident.resolved', 9),
        e('incident.reopened', 12),
        e('incident.acknowledged', 13),
        e('incident.mitigated', 20),
        e('incident.resolved', 30),
      ],
      [],
    );
    expect([times.acknowledgedAt, times.mitigatedAt, times.resolvedAt]).toEqual([at(2), at(5), at(30)]);
    expect(times.reopenCount).toBe(1);
  });
});
