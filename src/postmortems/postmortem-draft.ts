import type { EntryKind } from '../incidents';
import type { IncidentStatus, Role, Severity } from '../incidents/domain';

/**
 * The postmortem draft: one versioned, JSON-serialisable object computed from an incident's
 * record (events, alerts, changes) plus the sections people wrote. Every renderer (JSON,
 * Markdown, HTML, PDF) turns this object into its format and reads nothing else.
 * Dates are ISO strings (UTC); durations are whole seconds.
 */
export const POSTMORTEM_SCHEMA_VERSION = 1;

/** The editable sections, in the order documents show them. */
export const SECTION_NAMES = [
  'summary',
  'impact',
  'rootCause',
  'contributingFactors',
  'whatWentWell',
  'whatWentBadly',
  'lessonsLearned',
] as const;
export type SectionName = (typeof SECTION_NAMES)[number];

/** Longest text of one section, in characters (UTF-16 code units, as JSON strings count). */
export const SECTION_MAX = 20_000;

export const SECTION_INFO: Readonly<Record<SectionName, { title: string; placeholder: string }>> = {
  summary: {
    title: 'Summary',
    placeholder:
      'Two or three sentences for someone who was not there: what happened, how it was noticed and how it ended.',
  },
  impact: {
    title: 'Impact',
    placeholder:
      'Who and what was affected, and for how long: users or customers, failed requests or orders, SLOs and error budget burned, support tickets.',
  },
  rootCause: {
    title: 'Root cause',
    placeholder:
      'The underlying cause, not just the trigger: why the system allowed this to happen. Keep asking "why?" until the answer is something you can change.',
  },
  contributingFactors: {
    title: 'Contributing factors',
    placeholder:
      'Conditions that made it worse, harder to detect or slower to fix: a risky change, missing alerts, confusing dashboards, unclear ownership.',
  },
  whatWentWell: {
    title: 'What went well',
    placeholder: 'What helped: alerts that fired early, runbooks that worked, smooth handoffs, tools worth keeping.',
  },
  whatWentBadly: {
    title: 'What went badly',
    placeholder:
      'What hurt: delays in paging or diagnosis, missing access, noisy or missing alerts, gaps in communication.',
  },
  lessonsLearned: {
    title: 'Lessons learned',
    placeholder: 'What we now know and will do differently. Link each lesson to an action item below.',
  },
};

export function isSectionName(value: unknown): value is SectionName {
  return typeof value === 'string' && (SECTION_NAMES as readonly string[]).includes(value);
}

export interface PostmortemSection {
  name: SectionName;
  title: string;
  /** What people wrote; null while the section is empty (renderers then show the placeholder). */
  content: string | null;
  /** What belongs in the section. */
  placeholder: string;
  updatedAt: string | null;
  updatedBy: string | null;
}

/** Where `times.start` came from. */
export type StartSource = 'declaration' | 'first_alert';

export interface PostmortemTimes {
  /** The earlier of the declaration and the first attached alert's `startsAt`. */
  start: string;
  startSource: StartSource;
  /** When the incident was declared (opened in Sitrep). */
  detectedAt: string;
  /** The first `incident.acknowledged`; null when nobody acknowledged. */
  acknowledgedAt: string | null;
  /** The first `incident.mitigated` or `incident.resolved`, whichever came first. */
  mitigatedAt: string | null;
  /** The last `incident.resolved` when the incident is resolved now; null while it is open. */
  resolvedAt: string | null;
}

export interface PostmortemMetrics {
  /** start → resolution; null while open. */
  durationSeconds: number | null;
  /** start → declaration. */
  timeToDetectSeconds: number;
  /** start → first acknowledgement. */
  timeToAcknowledgeSeconds: number | null;
  /** start → first mitigation (or resolution). */
  timeToMitigateSeconds: number | null;
  /** start → resolution (the same as the duration). */
  timeToResolveSeconds: number | null;
  /** How often the incident was reopened. */
  reopenCount: number;
  alertCount: number;
  noteCount: number;
  pinnedNoteCount: number;
}

export interface SeverityChange {
  at: string;
  severity: Severity;
  /** null for the severity it was declared with. */
  from: Severity | null;
  actor: string;
  reason: string | null;
}

export type StatusEventName = 'declared' | 'acknowledged' | 'mitigated' | 'resolved' | 'reopened';

export interface StatusChange {
  at: string;
  event: StatusEventName;
  /** The status after the change. */
  status: IncidentStatus;
  actor: string;
  note: string | null;
}

export interface RoleTenure {
  role: Role;
  holder: string;
  from: string;
  /** null while the holder still has the role. */
  to: string | null;
  /** How the holder got the role. */
  via: 'assigned' | 'handoff';
  /** Who gave it. */
  assignedBy: string;
  /** How the tenure ended; null while it lasts. */
  endedBy: 'reassigned' | 'unassigned' | 'handoff' | null;
}

export interface CommanderHandoff {
  at: string;
  from: string;
  to: string;
  actor: string;
}

export interface PostmortemAlert {
  id: string;
  source: string;
  /** `alertname` label, else the summary. */
  name: string;
  summary: string;
  description: string | null;
  severity: Severity;
  status: 'firing' | 'resolved';
  service: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runbookUrl: string | null;
  generatorUrl: string | null;
  startsAt: string;
  /** When it stopped firing (its own end time, else when Sitrep learnt it resolved). */
  endsAt: string | null;
  attachedAt: string;
}

export interface PostmortemChange {
  id: string;
  summary: string;
  source: string | null;
  service: string | null;
  occurredAt: string;
  /** How long before `times.start` it happened (negative: after). */
  secondsBeforeStart: number;
  /** True when the timeline correlated it with this incident. */
  correlated: boolean;
  links: Array<{ href: string; text: string | null }>;
  details: Record<string, unknown>;
}

/** What an entry is about: the shared describer's kinds. */
export type TimelineKind = EntryKind;

export interface PostmortemTimelineEntry {
  seq: number;
  at: string;
  type: string;
  kind: TimelineKind;
  actor: string;
  /** One line a person reads ("Command handed off from bob to alice"); a note's own text. */
  text: string;
  /** True for pinned notes. */
  pinned: boolean;
  data: Record<string, unknown>;
}

export interface PostmortemActionItem {
  id: string;
  title: string;
  owner: string | null;
  dueDate: string | null;
  status: 'open' | 'done';
  createdAt: string;
  updatedAt: string;
}

export interface PostmortemDraft {
  schemaVersion: typeof POSTMORTEM_SCHEMA_VERSION;
  /** Edits saved so far (0: never edited). `PUT` compares `If-Match` with this. */
  version: number;
  /** The incident version (seq of its last event) this draft was computed from. */
  incidentVersion: number;
  generatedAt: string;
  /** The incident's page, from PUBLIC_URL. */
  url: string | null;
  incident: {
    id: string;
    number: number;
    title: string;
    summary: string | null;
    severity: Severity;
    /** The worst severity it ever had. */
    worstSeverity: Severity;
    status: IncidentStatus;
    service: string | null;
    source: 'manual' | 'alert';
  };
  times: PostmortemTimes;
  metrics: PostmortemMetrics;
  severityHistory: SeverityChange[];
  statusHistory: StatusChange[];
  roles: {
    current: Record<Role, string | null>;
    /** Every holder of every role, in the order they got it. */
    assignments: RoleTenure[];
    handoffs: CommanderHandoff[];
  };
  alerts: PostmortemAlert[];
  /** Changes (deploys) of the service in the hour before the start, and any correlated ones. */
  changes: PostmortemChange[];
  /** Every timeline entry, in seq order. */
  timeline: PostmortemTimelineEntry[];
  actionItems: { open: number; done: number; items: PostmortemActionItem[] };
  sections: Record<SectionName, PostmortemSection>;
}
