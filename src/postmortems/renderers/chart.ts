import type { PostmortemDraft, StatusEventName } from '../postmortem-draft';

/**
 * The incident over time, in numbers both chart renderers (SVG, pdfkit) draw from: the count
 * of firing alerts as a step function, status changes as markers, notes as ticks.
 * Times are epoch milliseconds within [from, to].
 */
export interface ChartModel {
  from: number;
  to: number;
  /** Steps: the count holds from `t` until the next step's `t` (the first step is at `from`). */
  firing: Array<{ t: number; count: number }>;
  maxFiring: number;
  statuses: Array<{ t: number; event: StatusEventName; label: string }>;
  notes: Array<{ t: number; pinned: boolean }>;
  ticks: Array<{ t: number; label: string }>;
}

export const STATUS_COLORS: Record<StatusEventName, string> = {
  declared: '#d9480f',
  acknowledged: '#e8a317',
  mitigated: '#1c7ed6',
  resolved: '#2b8a3e',
  reopened: '#c2255c',
};

export const CHART_COLORS = {
  line: '#c92a2a',
  fill: '#ffe3e3',
  grid: '#e9ecef',
  axis: '#868e96',
  text: '#495057',
  note: '#adb5bd',
  pinned: '#5f3dc4',
};

const SHORT_LABELS: Record<StatusEventName, string> = {
  declared: 'Declared',
  acknowledged: 'Ack',
  mitigated: 'Mitigated',
  resolved: 'Resolved',
  reopened: 'Reopened',
};

const MINUTE = 60_000;
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);

export function chartModel(draft: PostmortemDraft): ChartModel {
  const from = Date.parse(draft.times.start);
  const endOfIncident = Date.parse(draft.times.resolvedAt ?? draft.generatedAt);
  let to = Math.max(endOfIncident, from);
  for (const s of draft.statusHistory) to = Math.max(to, Date.parse(s.at));
  for (const a of draft.alerts)
    if (a.endsAt) to = Math.max(to, Math.min(Date.parse(a.endsAt), endOfIncident + 60 * MINUTE));
  if (to - from < MINUTE) to = from + MINUTE;
  // A little room on the right so the last marker is not on the edge.
  to += Math.round((to - from) * 0.03);

  const steps: Array<{ t: number; delta: number }> = [];
  for (const a of draft.alerts) {
    const start = Math.max(from, Date.parse(a.startsAt));
    steps.push({ t: start, delta: 1 });
    if (a.endsAt) steps.push({ t: Math.max(start, Date.parse(a.endsAt)), delta: -1 });
  }
  steps.sort((a, b) => a.t - b.t || a.delta - b.delta);
  const firing: ChartModel['firing'] = [{ t: from, count: 0 }];
  let count = 0;
  let maxFiring = 0;
  for (const step of steps) {
    if (step.t > to) break;
    count += step.delta;
    maxFiring = Math.max(maxFiring, count);
    const last = firing[firing.length - 1];
    if (last.t === step.t) last.count = count;
    else firing.push({ t: step.t, count });
  }

  const inRange = (t: number) => t >= from && t <= to;
  const statuses = draft.statusHistory
    .map((s) => ({ t: Date.parse(s.at), event: s.event, label: SHORT_LABELS[s.event] }))
    .filter((s) => inRange(s.t));
  const notes = draft.timeline
    .filter((e) => e.kind === 'note')
    .map((e) => ({ t: Date.parse(e.at), pinned: e.pinned }))
    .filter((n) => inRange(n.t));

  return { from, to, firing, maxFiring, statuses, notes, ticks: timeTicks(from, to) };
}

/** Four to eight ticks on round minutes/hours/days (UTC). */
export function timeTicks(from: number, to: number): Array<{ t: number; label: string }> {
  const span = to - from;
  const step = TICK_STEPS.find((s) => span / s <= 7) ?? TICK_STEPS[TICK_STEPS.length - 1];
  const multiDay =
    new Date(from).toISOString().slice(0, 10) !== new Date(to).toISOString().slice(0, 10) && step >= 60 * MINUTE;
  const first = Math.ceil(from / step) * step;
  const ticks: Array<{ t: number; label: string }> = [];
  for (let t = first; t <= to; t += step) {
    const iso = new Date(t).toISOString();
    ticks.push({
      t,
      label: multiDay || step >= 1440 * MINUTE ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16),
    });
  }
  return ticks;
}
