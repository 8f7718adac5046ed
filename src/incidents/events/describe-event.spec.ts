import { INCIDENT_EVENT_TYPES } from '../domain';
import type { IncidentEvent } from '../domain';
import { DescribeMemory, describeEvent } from './describe-event';

const at = new Date('2026-12-04T03:21:00Z');
const e = (type: IncidentEvent['type'], data: object, actor = 'alice'): IncidentEvent =>
  ({ type, actor, occurredAt: at, data }) as IncidentEvent;

const TABLE: Array<[IncidentEvent, string, string]> = [
  [
    e('incident.declared', { number: 7, title: 'ES reindex', severity: 'SEV1', source: 'alert' }),
    'status',
    'Declared SEV1 from an alert: ES reindex',
  ],
  [e('incident.updated', { title: { from: 'a', to: 'b' } }), 'update', 'Title changed to "b"'],
  [e('incident.updated', { summary: { from: 'a', to: null } }), 'update', 'Summary removed'],
  [
    e('incident.severity_changed', { from: 'SEV3', to: 'SEV1', reason: 'alert' }),
    'severity',
    'Severity SEV3 → SEV1 (a worse alert)',
  ],
  [e('incident.acknowledged', { note: 'on it' }), 'status', 'Acknowledged: on it'],
  [e('incident.mitigated', { note: null }), 'status', 'Mitigated'],
  [e('incident.resolved', { note: null, automatic: true }), 'status', 'Resolved automatically: every alert resolved'],
  [e('incident.reopened', { note: null, reason: 'alert fired again' }), 'status', 'Reopened: alert fired again'],
  [
    e('incident.role_assigned', { role: 'communications', assignee: 'bea', previous: 'carl' }),
    'role',
    'bea is communications lead (was carl)',
  ],
  [e('incident.role_unassigned', { role: 'deputy', previous: 'bea' }), 'role', 'bea is no longer deputy'],
  [e('incident.commander_handoff', { from: 'alice', to: 'bea' }), 'role', 'Command handed off from alice to bea'],
  [e('note.added', { noteId: 'n', text: 'disk at 97%', pinned: true }), 'note', 'disk at 97%'],
  [
    e('incident.escalated', { target: 'bea', reason: 'not acknowledged within 300 s' }),
    'escalation',
    'Escalated to bea: not acknowledged within 300 s',
  ],
  [
    e('incident.escalated', { policyId: 'p', step: 2, round: 1 }),
    'escalation',
    'Escalated to step 2 of the escalation policy',
  ],
  [
    e('incident.escalated', { policyId: 'p', step: 1, round: 2 }),
    'escalation',
    'Escalated to step 1 (round 2) of the escalation policy',
  ],
  [
    e('change.correlated', {
      changeId: 'c',
      summary: 'deploy api v42',
      service: 'api',
      occurredAt: '2026-12-04T03:00:00.000Z',
    }),
    'change',
    'Change at 2026-12-04 03:00:00 UTC: deploy api v42',
  ],
  [
    e('notification.sent', { channel: 'slack', recipient: '#incidents' }),
    'notification',
    'Notified #incidents by slack',
  ],
  [
    e('notification.failed', { channel: 'email', recipient: 'a@b.c', reason: '550' }),
    'notification',
    'Notifying a@b.c by email failed: 550',
  ],
  [
    e('postmortem.updated', { sections: ['rootCause', 'lessonsLearned'] }),
    'postmortem',
    'Postmortem edited: Root cause, Lessons learned',
  ],
  [
    e('incident.chat_linked', { channelId: 'C1', channelName: 'inc-7-es-reindex' }),
    'chat',
    'Incident channel #inc-7-es-reindex',
  ],
  [
    e('incident.paged', { policyId: 'p', step: 1, round: 1, responders: ['alice'], channels: ['#ops'] }),
    'page',
    'Paged alice, #ops',
  ],
  [
    e('incident.paged', { policyId: 'p', step: 1, round: 1, responders: [], channels: [] }),
    'page',
    'Paging started: nobody on call for step 1',
  ],
  [e('page.sent', { responder: 'alice', method: 'voice' }), 'page', 'Paged alice by phone call'],
  [
    e('page.failed', { responder: 'alice', method: 'sms', reason: 'invalid number' }),
    'page',
    'Paging alice by SMS failed: invalid number',
  ],
  [
    e('page.exhausted', { policyId: 'p' }),
    'page',
    'Paging ended: every step of the escalation policy was tried and nobody acknowledged',
  ],
  [
    e('automation.suggested', { automationId: 'a', name: 'reindex', alertId: null }),
    'automation',
    'Automation "reindex" suggested',
  ],
  [
    e('automation.started', { automationId: 'a', name: 'reindex', runId: 'r' }),
    'automation',
    'Automation "reindex" started',
  ],
  [
    e('automation.succeeded', { automationId: 'a', name: 'reindex', runId: 'r' }),
    'automation',
    'Automation "reindex" succeeded',
  ],
  [
    e('automation.failed', { automationId: 'a', name: 'reindex', runId: 'r', reason: 'exit code 2' }),
    'automation',
    'Automation "reindex" failed: exit code 2',
  ],
  [
    e('automation.skipped', { automationId: 'a', name: 'reindex', reason: 'outside active hours' }),
    'automation',
    'Automation "reindex" skipped: outside active hours',
  ],
  [
    e('automation.verified', { automationId: 'a', name: 'reindex', runId: 'r' }),
    'automation',
    'Automation "reindex" verified: every alert resolved',
  ],
  [
    e('automation.unverified', { automationId: 'a', name: 'reindex', runId: 'r' }),
    'automation',
    'Automation "reindex" unverified: alerts still firing',
  ],
  [
    e('incident.status_update', { text: 'Search is degraded; reindex running' }),
    'status_update',
    'Status update: Search is degraded; reindex running',
  ],
  [
    e('incident.update_due', { cadence: 'PT30M', since: at.toISOString(), remind: 'bea' }),
    'status_update',
    'Status update due (none for PT30M): reminded bea',
  ],
];

describe('describeEvent', () => {
  it.each(TABLE)('%#: %j', (event, kind, text) => {
    expect(describeEvent(event)).toEqual({ kind, text });
  });

  it('names alerts and action items from earlier entries of the same incident', () => {
    const memory = new DescribeMemory();
    describeEvent(
      e('alert.attached', {
        alertId: 'a1',
        source: 'alertmanager',
        identity: 'fp',
        summary: 'disk full',
        severity: 'SEV2',
        firing: true,
      }),
      memory,
    );
    describeEvent(
      e('action_item.added', {
        actionItemId: 'i1',
        title: 'Add disk alert',
        owner: null,
        dueDate: null,
        status: 'open',
      }),
      memory,
    );
    expect(describeEvent(e('alert.resolved', { alertId: 'a1' }), memory).text).toBe('Alert resolved: disk full');
    expect(
      describeEvent(e('action_item.updated', { actionItemId: 'i1', changes: { status: 'done' } }), memory).text,
    ).toBe('Action item "Add disk alert": done');
    expect(describeEvent(e('alert.resolved', { alertId: 'a9' })).text).toBe('Alert resolved: a9');
  });

  it('has a described case for every event type of the contract', () => {
    // The switch is exhaustive at compile time; this keeps the table above complete too.
    const covered = new Set([
      ...TABLE.map(([event]) => event.type),
      'alert.attached',
      'alert.resolved',
      'action_item.added',
      'action_item.updated',
    ]);
    expect(INCIDENT_EVENT_TYPES.filter((type) => !covered.has(type))).toEqual([]);
  });
});
