import type { IncidentEvent, Role } from '../domain';

/** What an entry is about, for icons, colours and filters. */
export type EntryKind =
  | 'status'
  | 'severity'
  | 'update'
  | 'role'
  | 'note'
  | 'action_item'
  | 'alert'
  | 'change'
  | 'escalation'
  | 'notification'
  | 'postmortem'
  | 'chat'
  | 'page'
  | 'automation'
  | 'status_update';

export interface EntryDescription {
  kind: EntryKind;
  /** One line a person reads ("Command handed off from bob to alice"); a note's own text. */
  text: string;
}

/**
 * Names learnt from earlier entries of the same incident (an alert's summary, an action item's
 * title), so a later entry can say "Alert resolved: disk full" instead of an id. Optional: an
 * entry described on its own falls back to the id.
 */
export class DescribeMemory {
  readonly alertNames = new Map<string, string>();
  readonly itemTitles = new Map<string, string>();
}

const ROLE_NAMES: Record<Role, string> = {
  commander: 'commander',
  deputy: 'deputy',
  scribe: 'scribe',
  communications: 'communications lead',
};

const METHOD_NAMES = { email: 'email', slack: 'Slack', sms: 'SMS', voice: 'phone call' } as const;

function withNote(text: string, note: string | null | undefined): string {
  return note ? `${text}: ${note}` : text;
}

function capitalised(text: string): string {
  return text ? text[0].toUpperCase() + text.slice(1) : text;
}

/** `rootCause` → `Root cause`: saved postmortem sections are named in camelCase. */
function sectionName(name: string): string {
  return capitalised(name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase());
}

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC');
}

/**
 * The one place an incident event becomes words. The web UI (through the API's `summary`),
 * Slack, email and the postmortem all use it; the switch is exhaustive, so a new event type
 * does not compile until it is described here.
 */
export function describeEvent(e: IncidentEvent, memory: DescribeMemory = new DescribeMemory()): EntryDescription {
  switch (e.type) {
    case 'incident.declared':
      return {
        kind: 'status',
        text: `Declared ${e.data.severity}${e.data.source === 'alert' ? ' from an alert' : ''}: ${e.data.title}`,
      };
    case 'incident.updated': {
      const parts: string[] = [];
      if (e.data.title) parts.push(`title changed to "${e.data.title.to}"`);
      if (e.data.summary)
        parts.push(e.data.summary.to ? `summary changed to "${e.data.summary.to}"` : 'summary removed');
      return { kind: 'update', text: capitalised(parts.join('; ') || 'details updated') };
    }
    case 'incident.severity_changed':
      return {
        kind: 'severity',
        text: `Severity ${e.data.from} → ${e.data.to}${e.data.reason ? ` (${e.data.reason === 'alert' ? 'a worse alert' : e.data.reason})` : ''}`,
      };
    case 'incident.acknowledged':
      return { kind: 'status', text: withNote('Acknowledged', e.data.note) };
    case 'incident.mitigated':
      return { kind: 'status', text: withNote('Mitigated', e.data.note) };
    case 'incident.resolved':
      return {
        kind: 'status',
        text: e.data.automatic ? 'Resolved automatically: every alert resolved' : withNote('Resolved', e.data.note),
      };
    case 'incident.reopened':
      return { kind: 'status', text: withNote('Reopened', e.data.reason ?? e.data.note) };
    case 'incident.role_assigned':
      return {
        kind: 'role',
        text: `${e.data.assignee} is ${ROLE_NAMES[e.data.role]}${e.data.previous ? ` (was ${e.data.previous})` : ''}`,
      };
    case 'incident.role_unassigned':
      return { kind: 'role', text: `${e.data.previous} is no longer ${ROLE_NAMES[e.data.role]}` };
    case 'incident.commander_handoff':
      return { kind: 'role', text: `Command handed off from ${e.data.from} to ${e.data.to}` };
    case 'note.added':
      return { kind: 'note', text: e.data.text };
    case 'action_item.added':
      memory.itemTitles.set(e.data.actionItemId, e.data.title);
      return {
        kind: 'action_item',
        text: `Action item added: ${e.data.title}${e.data.owner ? ` (owner ${e.data.owner})` : ''}`,
      };
    case 'action_item.updated': {
      const { changes } = e.data;
      if (changes.title) memory.itemTitles.set(e.data.actionItemId, changes.title);
      const title = memory.itemTitles.get(e.data.actionItemId) ?? 'action item';
      const parts: string[] = [];
      if (changes.status) parts.push(changes.status === 'done' ? 'done' : 'reopened');
      if (changes.owner !== undefined) parts.push(changes.owner ? `owner ${changes.owner}` : 'no owner');
      if (changes.dueDate !== undefined) parts.push(changes.dueDate ? `due ${changes.dueDate}` : 'no due date');
      if (changes.title) parts.push('renamed');
      return { kind: 'action_item', text: `Action item "${title}": ${parts.join(', ') || 'updated'}` };
    }
    case 'alert.attached': {
      const name = e.data.summary ?? e.data.identity;
      memory.alertNames.set(e.data.alertId, name);
      return { kind: 'alert', text: `Alert ${e.data.firing ? 'firing' : 'attached'} (${e.data.severity}): ${name}` };
    }
    case 'alert.resolved':
      return { kind: 'alert', text: `Alert resolved: ${memory.alertNames.get(e.data.alertId) ?? e.data.alertId}` };
    case 'incident.escalated':
      return {
        kind: 'escalation',
        text:
          'target' in e.data
            ? `Escalated to ${e.data.target}: ${e.data.reason}`
            : `Escalated to step ${e.data.step}${e.data.round > 1 ? ` (round ${e.data.round})` : ''} of the escalation policy`,
      };
    case 'change.correlated':
      return { kind: 'change', text: `Change at ${utc(e.data.occurredAt)}: ${e.data.summary}` };
    case 'notification.sent':
      return { kind: 'notification', text: `Notified ${e.data.recipient} by ${e.data.channel}` };
    case 'notification.failed':
      return {
        kind: 'notification',
        text: `Notifying ${e.data.recipient} by ${e.data.channel} failed${e.data.reason ? `: ${e.data.reason}` : ''}`,
      };
    case 'postmortem.updated':
      return { kind: 'postmortem', text: `Postmortem edited: ${e.data.sections.map(sectionName).join(', ')}` };
    case 'incident.chat_linked':
      return { kind: 'chat', text: `Incident channel #${e.data.channelName}` };
    case 'incident.paged': {
      const who = [...e.data.responders, ...e.data.channels.map((c) => (c.startsWith('#') ? c : `#${c}`))];
      return {
        kind: 'page',
        text: who.length ? `Paged ${who.join(', ')}` : 'Paging started: nobody on call for step 1',
      };
    }
    case 'page.sent':
      return { kind: 'page', text: `Paged ${e.data.responder} by ${METHOD_NAMES[e.data.method]}` };
    case 'page.failed':
      return {
        kind: 'page',
        text: `Paging ${e.data.responder} by ${METHOD_NAMES[e.data.method]} failed${e.data.reason ? `: ${e.data.reason}` : ''}`,
      };
    case 'page.exhausted':
      return {
        kind: 'page',
        text: 'Paging ended: every step of the escalation policy was tried and nobody acknowledged',
      };
    case 'automation.suggested':
      return { kind: 'automation', text: `Automation "${e.data.name}" suggested` };
    case 'automation.started':
      return { kind: 'automation', text: `Automation "${e.data.name}" started` };
    case 'automation.succeeded':
      return { kind: 'automation', text: `Automation "${e.data.name}" succeeded` };
    case 'automation.failed':
      return { kind: 'automation', text: `Automation "${e.data.name}" failed: ${e.data.reason}` };
    case 'automation.skipped':
      return { kind: 'automation', text: `Automation "${e.data.name}" skipped: ${e.data.reason}` };
    case 'automation.verified':
      return { kind: 'automation', text: `Automation "${e.data.name}" verified: every alert resolved` };
    case 'automation.unverified':
      return { kind: 'automation', text: `Automation "${e.data.name}" unverified: alerts still firing` };
    case 'incident.status_update':
      return { kind: 'status_update', text: `Status update: ${e.data.text}` };
    case 'incident.update_due':
      return {
        kind: 'status_update',
        text: `Status update due (none for ${e.data.cadence})${e.data.remind ? `: reminded ${e.data.remind}` : ''}`,
      };
    default:
      return assertNever(e);
  }
}

function assertNever(value: never): never {
  throw new Error(`Undescribed incident event ${JSON.stringify(value)}`);
}
