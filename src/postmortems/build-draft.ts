import {
  ActionItem,
  evolve,
  IncidentEvent,
  IncidentState,
  isWorse,
  ROLES,
  Role,
  Severity,
  toIncidentEvent,
} from '../incidents/domain';
import { DescribeMemory, describeEvent } from '../incidents';
import {
  CommanderHandoff,
  POSTMORTEM_SCHEMA_VERSION,
  PostmortemAlert,
  PostmortemChange,
  PostmortemDraft,
  PostmortemSection,
  PostmortemTimelineEntry,
  PostmortemTimes,
  RoleTenure,
  SECTION_INFO,
  SECTION_NAMES,
  SectionName,
  SeverityChange,
  StatusChange,
} from './postmortem-draft';

/** One row of `incident_events`. */
export interface EventRecord {
  seq: number;
  type: string;
  actor: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** One row of `alerts` attached to the incident. */
export interface AlertRecord {
  id: string;
  source: string;
  identity: string;
  summary: string;
  description: string | null;
  severity: Severity;
  status: 'firing' | 'resolved';
  service: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runbookUrl: string | null;
  generatorUrl: string | null;
  startsAt: Date;
  endsAt: Date | null;
  firstSeenAt: Date;
  resolvedAt: Date | null;
}

/** One row of `changes`. */
export interface ChangeRecord {
  id: string;
  service: string | null;
  summary: string;
  source: string | null;
  occurredAt: Date;
  details: Record<string, unknown>;
  links: unknown[];
}

/** One row of `postmortem_sections`; an empty body means the section was cleared. */
export interface SavedSection {
  name: string;
  body: string;
  /** The postmortem version that wrote it. */
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

export interface DraftInput {
  incidentId: string;
  /** Every event of the incident, in seq order (starts with incident.declared). */
  events: readonly EventRecord[];
  alerts: readonly AlertRecord[];
  /** Candidate changes; the builder keeps those of the window and those correlated. */
  changes: readonly ChangeRecord[];
  sections: readonly SavedSection[];
  generatedAt: Date;
  /** PUBLIC_URL, for the link to the incident page. */
  publicUrl?: string | null;
}

/** Changes of the service this long before the start belong to the postmortem. */
export const CHANGE_LOOKBACK_MS = 60 * 60 * 1000;

export interface LifecycleTimes {
  start: Date;
  startSource: PostmortemTimes['startSource'];
  detectedAt: Date;
  acknowledgedAt: Date | null;
  mitigatedAt: Date | null;
  resolvedAt: Date | null;
  reopenCount: number;
}

/**
 * The lifecycle times, shared by the draft and the list of postmortems:
 * - start: the declaration, or the earliest `startsAt` of an attached alert when that is earlier;
 * - detected: the declaration (`incident.declared`);
 * - acknowledged: the first `incident.acknowledged`;
 * - mitigated: the first `incident.mitigated` or `incident.resolved`, whichever came first
 *   (resolving ends the impact at the latest);
 * - resolved: the last `incident.resolved`, when no reopen followed it (null while open).
 * `events` need only the lifecycle types, in seq order.
 */
export function lifecycleTimes(
  events: ReadonlyArray<Pick<EventRecord, 'type' | 'occurredAt'>>,
  alertStarts: readonly Date[],
): LifecycleTimes {
  const declared = events.find((e) => e.type === 'incident.declared');
  if (!declared) throw new Error('An incident record starts with incident.declared');
  const detectedAt = declared.occurredAt;
  let firstAlert: Date | null = null;
  for (const at of alertStarts) {
    if (!Number.isNaN(at.getTime()) && (firstAlert === null || at < firstAlert)) firstAlert = at;
  }
  const start = firstAlert !== null && firstAlert < detectedAt ? firstAlert : detectedAt;
  let acknowledgedAt: Date | null = null;
  let mitigatedAt: Date | null = null;
  let resolvedAt: Date | null = null;
  let reopenCount = 0;
  for (const e of events) {
    switch (e.type) {
      case 'incident.acknowledged':
        acknowledgedAt ??= e.occurredAt;
        break;
      case 'incident.mitigated':
        mitigatedAt ??= e.occurredAt;
        break;
      case 'incident.resolved':
        mitigatedAt ??= e.occurredAt;
        resolvedAt = e.occurredAt;
        break;
      case 'incident.reopened':
        reopenCount++;
        resolvedAt = null;
        break;
    }
  }
  return {
    start,
    startSource: start === detectedAt ? 'declaration' : 'first_alert',
    detectedAt,
    acknowledgedAt,
    mitigatedAt,
    resolvedAt,
    reopenCount,
  };
}

/** Whole seconds from `from` to `to`; null when `to` is. */
export function secondsBetween(from: Date, to: Date | null): number | null {
  return to === null ? null : Math.round((to.getTime() - from.getTime()) / 1000);
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * Builds the postmortem draft. Pure: everything it knows comes in `input`, the clock included.
 */
export function buildDraft(input: DraftInput): PostmortemDraft {
  const events = input.events.map((row) => ({ seq: row.seq, event: toIncidentEvent(row) }));
  if (events.length === 0 || events[0].event.type !== 'incident.declared') {
    throw new Error(`Incident ${input.incidentId}: the record must start with incident.declared`);
  }
  const state = events.reduce<IncidentState | undefined>(
    (s, { event }) => evolve(s, event),
    undefined,
  ) as IncidentState;
  const times = lifecycleTimes(
    input.events,
    input.alerts.map((a) => a.startsAt),
  );
  const declared = events[0].event as Extract<IncidentEvent, { type: 'incident.declared' }>;

  const timeline = describeTimeline(events);
  const notes = timeline.filter((e) => e.kind === 'note');
  const severityHistory = severityChanges(events.map((e) => e.event));
  const worstSeverity = severityHistory.reduce<Severity>(
    (worst, change) => (isWorse(change.severity, worst) ? change.severity : worst),
    declared.data.severity,
  );
  const alerts = input.alerts.map(toAlert);
  const changes = relevantChanges(
    input.changes,
    events.map((e) => e.event),
    state.service,
    times,
  );
  const items = [...state.actionItems.values()].map(toActionItem);
  const sectionRows = new Map(input.sections.map((s) => [s.name, s]));
  const sections = Object.fromEntries(
    SECTION_NAMES.map((name) => [name, toSection(name, sectionRows.get(name))]),
  ) as Record<SectionName, PostmortemSection>;

  return {
    schemaVersion: POSTMORTEM_SCHEMA_VERSION,
    version: input.sections.reduce((max, s) => Math.max(max, s.version), 0),
    incidentVersion: state.version,
    generatedAt: input.generatedAt.toISOString(),
    url: input.publicUrl ? `${input.publicUrl.replace(/\/+$/, '')}/incidents/${input.incidentId}` : null,
    incident: {
      id: input.incidentId,
      number: state.number,
      title: state.title,
      summary: state.summary,
      severity: state.severity,
      worstSeverity,
      status: state.status,
      service: state.service,
      source: state.source,
    },
    times: {
      start: times.start.toISOString(),
      startSource: times.startSource,
      detectedAt: times.detectedAt.toISOString(),
      acknowledgedAt: iso(times.acknowledgedAt),
      mitigatedAt: iso(times.mitigatedAt),
      resolvedAt: iso(times.resolvedAt),
    },
    metrics: {
      durationSeconds: secondsBetween(times.start, times.resolvedAt),
      timeToDetectSeconds: secondsBetween(times.start, times.detectedAt) as number,
      timeToAcknowledgeSeconds: secondsBetween(times.start, times.acknowledgedAt),
      timeToMitigateSeconds: secondsBetween(times.start, times.mitigatedAt),
      timeToResolveSeconds: secondsBetween(times.start, times.resolvedAt),
      reopenCount: times.reopenCount,
      alertCount: alerts.length,
      noteCount: notes.length,
      pinnedNoteCount: notes.filter((n) => n.pinned).length,
    },
    severityHistory,
    statusHistory: statusChanges(events.map((e) => e.event)),
    roles: { current: { ...state.roles }, ...roleHistory(events.map((e) => e.event)) },
    alerts,
    changes,
    timeline,
    actionItems: {
      open: items.filter((i) => i.status === 'open').length,
      done: items.filter((i) => i.status === 'done').length,
      items,
    },
    sections,
  };
}

// ---- parts ---------------------------------------------------------------------------------

function severityChanges(events: readonly IncidentEvent[]): SeverityChange[] {
  const out: SeverityChange[] = [];
  for (const e of events) {
    if (e.type === 'incident.declared') {
      out.push({ at: e.occurredAt.toISOString(), severity: e.data.severity, from: null, actor: e.actor, reason: null });
    } else if (e.type === 'incident.severity_changed') {
      out.push({
        at: e.occurredAt.toISOString(),
        severity: e.data.to,
        from: e.data.from,
        actor: e.actor,
        reason: e.data.reason,
      });
    }
  }
  return out;
}

function statusChanges(events: readonly IncidentEvent[]): StatusChange[] {
  const out: StatusChange[] = [];
  for (const e of events) {
    const at = e.occurredAt.toISOString();
    switch (e.type) {
      case 'incident.declared':
        out.push({ at, event: 'declared', status: 'triggered', actor: e.actor, note: null });
        break;
      case 'incident.acknowledged':
        out.push({ at, event: 'acknowledged', status: 'acknowledged', actor: e.actor, note: e.data.note });
        break;
      case 'incident.mitigated':
        out.push({ at, event: 'mitigated', status: 'mitigated', actor: e.actor, note: e.data.note });
        break;
      case 'incident.resolved':
        out.push({
          at,
          event: 'resolved',
          status: 'resolved',
          actor: e.actor,
          note: e.data.automatic ? (e.data.note ?? 'every alert resolved') : e.data.note,
        });
        break;
      case 'incident.reopened':
        out.push({ at, event: 'reopened', status: 'triggered', actor: e.actor, note: e.data.reason ?? e.data.note });
        break;
    }
  }
  return out;
}

/** Every holder of every role with the span they held it, and the commander handoffs. */
function roleHistory(events: readonly IncidentEvent[]): { assignments: RoleTenure[]; handoffs: CommanderHandoff[] } {
  const assignments: RoleTenure[] = [];
  const handoffs: CommanderHandoff[] = [];
  const open = new Map<Role, RoleTenure>();
  const close = (role: Role, at: string, endedBy: RoleTenure['endedBy']) => {
    const tenure = open.get(role);
    if (!tenure) return;
    tenure.to = at;
    tenure.endedBy = endedBy;
    open.delete(role);
  };
  const start = (role: Role, holder: string, at: string, via: RoleTenure['via'], assignedBy: string) => {
    const tenure: RoleTenure = { role, holder, from: at, to: null, via, assignedBy, endedBy: null };
    assignments.push(tenure);
    open.set(role, tenure);
  };
  for (const e of events) {
    const at = e.occurredAt.toISOString();
    if (e.type === 'incident.role_assigned') {
      close(e.data.role, at, 'reassigned');
      start(e.data.role, e.data.assignee, at, 'assigned', e.actor);
    } else if (e.type === 'incident.role_unassigned') {
      close(e.data.role, at, 'unassigned');
    } else if (e.type === 'incident.commander_handoff') {
      close('commander', at, 'handoff');
      close('deputy', at, 'handoff');
      start('commander', e.data.to, at, 'handoff', e.actor);
      handoffs.push({ at, from: e.data.from, to: e.data.to, actor: e.actor });
    }
  }
  // Sorted by role (ICS order), then by when the role was taken.
  assignments.sort((a, b) => ROLES.indexOf(a.role) - ROLES.indexOf(b.role) || a.from.localeCompare(b.from));
  return { assignments, handoffs };
}

function toAlert(a: AlertRecord): PostmortemAlert {
  const ended = a.status === 'resolved' ? (a.endsAt ?? a.resolvedAt) : null;
  return {
    id: a.id,
    source: a.source,
    name: a.labels?.alertname || a.summary,
    summary: a.summary,
    description: a.description,
    severity: a.severity,
    status: a.status,
    service: a.service,
    labels: { ...(a.labels ?? {}) },
    annotations: { ...(a.annotations ?? {}) },
    runbookUrl: a.runbookUrl,
    generatorUrl: a.generatorUrl,
    startsAt: a.startsAt.toISOString(),
    endsAt: iso(ended),
    attachedAt: a.firstSeenAt.toISOString(),
  };
}

/** The service's changes in the hour before the start (up to the declaration), and every correlated one. */
function relevantChanges(
  candidates: readonly ChangeRecord[],
  events: readonly IncidentEvent[],
  service: string | null,
  times: LifecycleTimes,
): PostmortemChange[] {
  const correlated = new Map<string, Extract<IncidentEvent, { type: 'change.correlated' }>>();
  for (const e of events) if (e.type === 'change.correlated') correlated.set(e.data.changeId, e);
  const windowStart = times.start.getTime() - CHANGE_LOOKBACK_MS;
  const windowEnd = times.detectedAt.getTime();
  const byId = new Map<string, ChangeRecord>();
  for (const c of candidates) {
    const t = c.occurredAt.getTime();
    const inWindow = service !== null && c.service === service && t >= windowStart && t <= windowEnd;
    if (inWindow || correlated.has(c.id)) byId.set(c.id, c);
  }
  // A correlated change whose row is gone still shows what the timeline recorded.
  for (const [id, e] of correlated) {
    if (!byId.has(id)) {
      byId.set(id, {
        id,
        service: e.data.service,
        summary: e.data.summary,
        source: null,
        occurredAt: new Date(e.data.occurredAt),
        details: {},
        links: [],
      });
    }
  }
  return [...byId.values()]
    .sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime() || a.id.localeCompare(b.id))
    .map((c) => ({
      id: c.id,
      summary: c.summary,
      source: c.source,
      service: c.service,
      occurredAt: c.occurredAt.toISOString(),
      secondsBeforeStart: Math.round((times.start.getTime() - c.occurredAt.getTime()) / 1000),
      correlated: correlated.has(c.id),
      links: changeLinks(c.links),
      details: c.details ?? {},
    }));
}

function changeLinks(links: unknown[]): PostmortemChange['links'] {
  if (!Array.isArray(links)) return [];
  return links.flatMap((l) => {
    const link = l as { href?: unknown; text?: unknown };
    return typeof link?.href === 'string'
      ? [{ href: link.href, text: typeof link.text === 'string' ? link.text : null }]
      : [];
  });
}

function toActionItem(i: ActionItem) {
  return {
    id: i.id,
    title: i.title,
    owner: i.owner,
    dueDate: i.dueDate,
    status: i.status,
    createdAt: i.createdAt.toISOString(),
    updatedAt: i.updatedAt.toISOString(),
  };
}

function toSection(name: SectionName, saved: SavedSection | undefined): PostmortemSection {
  const content = saved && saved.body.trim() !== '' ? saved.body : null;
  return {
    name,
    title: SECTION_INFO[name].title,
    content,
    placeholder: SECTION_INFO[name].placeholder,
    updatedAt: saved ? saved.updatedAt.toISOString() : null,
    updatedBy: saved ? saved.updatedBy : null,
  };
}

// ---- the timeline in words -----------------------------------------------------------------

function describeTimeline(events: ReadonlyArray<{ seq: number; event: IncidentEvent }>): PostmortemTimelineEntry[] {
  const memory = new DescribeMemory();
  return events.map(({ seq, event }) => {
    const { kind, text } = describeEvent(event, memory);
    return {
      seq,
      at: event.occurredAt.toISOString(),
      type: event.type,
      kind,
      actor: event.actor,
      text,
      pinned: event.type === 'note.added' && event.data.pinned === true,
      data: event.data as unknown as Record<string, unknown>,
    };
  });
}
