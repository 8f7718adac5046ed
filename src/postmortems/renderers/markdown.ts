import { ROLES } from '../../incidents/domain';
import type { PostmortemDraft, SectionName } from '../postmortem-draft';
import {
  detailLines,
  DOCUMENT_ALERT_LIMIT,
  formatDay,
  formatDuration,
  formatTime,
  keyFigures,
  keyTimes,
  ROLE_TITLES,
  safeUrl,
} from './text';

/**
 * Markdown for a git repository: YAML front matter (number, severity, dates, metrics, roles)
 * that tools can index, then the document. Text from the record is escaped; the sections are
 * Markdown people wrote and are kept as they are.
 */
export function renderMarkdown(draft: PostmortemDraft): string {
  const out: string[] = [frontMatter(draft), ''];
  const { incident } = draft;
  out.push(`# Postmortem: #${incident.number} ${inline(incident.title)}`, '');
  const meta = [
    `**${incident.severity}**${incident.worstSeverity !== incident.severity ? ` (worst ${incident.worstSeverity})` : ''}`,
    incident.status,
    incident.service ? `service \`${code(incident.service)}\`` : 'no service',
    formatDay(draft.times.start),
  ];
  const url = safeUrl(draft.url);
  if (url) meta.push(`[incident page](<${url}>)`);
  out.push(meta.join(' · '), '');
  if (incident.summary) out.push(`> ${inline(incident.summary)}`, '');
  out.push(
    `_Draft generated from the incident record at ${formatTime(draft.generatedAt)}. Times, alerts, changes and the timeline are recomputed on every download; the sections are written by people (postmortem version ${draft.version})._`,
    '',
  );

  out.push('| Metric | Value | Measured |', '|---|---|---|');
  for (const [label, value, hint] of keyFigures(draft)) out.push(`| ${label} | **${value}** | ${hint} |`);
  out.push('', '| Moment | Time |', '|---|---|');
  for (const [label, at] of keyTimes(draft)) out.push(`| ${label} | ${formatTime(at)} |`);
  out.push('');

  section(out, draft, 'summary');
  section(out, draft, 'impact');

  out.push('## Response', '', '### Roles', '');
  if (draft.roles.assignments.length === 0) {
    out.push('_Nobody held a role._', '');
  } else {
    out.push('| Role | Who | From | Until | How |', '|---|---|---|---|---|');
    for (const r of draft.roles.assignments) {
      out.push(
        `| ${ROLE_TITLES[r.role]} | ${cell(r.holder)} | ${formatTime(r.from)} | ${r.to ? formatTime(r.to) : 'still holds it'} | ${r.via === 'handoff' ? 'handoff' : `assigned by ${cell(r.assignedBy)}`}${r.endedBy ? `; ended by ${r.endedBy}` : ''} |`,
      );
    }
    out.push('');
  }
  for (const h of draft.roles.handoffs) {
    out.push(
      `- ${formatTime(h.at)}: command handed off from ${inline(h.from)} to ${inline(h.to)} (by ${inline(h.actor)})`,
    );
  }
  if (draft.roles.handoffs.length) out.push('');

  out.push('### Severity', '');
  for (const s of draft.severityHistory) {
    out.push(
      `- ${formatTime(s.at)}: ${s.from ? `${s.from} → ` : 'declared '}**${s.severity}** by ${inline(s.actor)}${s.reason ? ` (${inline(s.reason)})` : ''}`,
    );
  }
  out.push('');

  out.push('## Alerts', '');
  if (draft.alerts.length === 0) {
    out.push('_No alerts were attached to this incident._', '');
  } else {
    out.push('| Alert | Severity | Started | Ended | Labels | Runbook |', '|---|---|---|---|---|---|');
    for (const a of draft.alerts.slice(0, DOCUMENT_ALERT_LIMIT)) {
      const runbook = safeUrl(a.runbookUrl);
      const labels = Object.entries(a.labels)
        .map(([k, v]) => `\`${code(`${k}=${v}`)}\``)
        .join(' ');
      out.push(
        `| **${cell(a.name)}**<br>${cell(a.summary)} | ${a.severity} | ${formatTime(a.startsAt)} | ${a.endsAt ? formatTime(a.endsAt) : 'still firing'} | ${labels} | ${runbook ? `[runbook](<${runbook}>)` : '—'} |`,
      );
    }
    if (draft.alerts.length > DOCUMENT_ALERT_LIMIT) {
      out.push(
        '',
        `_…and ${draft.alerts.length - DOCUMENT_ALERT_LIMIT} more alerts (all of them are in the JSON format)._`,
      );
    }
    out.push('');
  }

  out.push('## Changes before the incident', '');
  if (draft.changes.length === 0) {
    out.push(
      `_No changes (deploys) of ${incident.service ? `\`${code(incident.service)}\`` : 'the service'} in the hour before the incident._`,
      '',
    );
  } else {
    for (const c of draft.changes) {
      const when =
        c.secondsBeforeStart >= 0
          ? `${formatDuration(c.secondsBeforeStart)} before the start`
          : `${formatDuration(-c.secondsBeforeStart)} after the start`;
      const links = c.links
        .map((l) => ({ href: safeUrl(l.href), text: l.text ?? l.href }))
        .filter((l) => l.href)
        .map((l) => `[${inline(l.text)}](<${l.href}>)`);
      out.push(
        `- **${formatTime(c.occurredAt)}** (${when}): ${inline(c.summary)}${c.source ? ` — ${inline(c.source)}` : ''}${links.length ? ` · ${links.join(' · ')}` : ''}`,
      );
      for (const [k, v] of detailLines(c.details)) out.push(`  - ${inline(k)}: ${inline(v)}`);
    }
    out.push('');
  }

  for (const name of ['rootCause', 'contributingFactors', 'whatWentWell', 'whatWentBadly', 'lessonsLearned'] as const) {
    section(out, draft, name);
  }

  out.push('## Action items', '');
  if (draft.actionItems.items.length === 0) {
    out.push('_No action items yet._', '');
  } else {
    for (const i of draft.actionItems.items) {
      out.push(
        `- [${i.status === 'done' ? 'x' : ' '}] ${inline(i.title)}${i.owner ? ` — owner ${inline(i.owner)}` : ' — no owner'}${i.dueDate ? `, due ${i.dueDate}` : ''}`,
      );
    }
    out.push('', `${draft.actionItems.open} open, ${draft.actionItems.done} done.`, '');
  }

  out.push('## Timeline', '', 'All times UTC. 📌 marks pinned notes.', '', '| Time | Who | What |', '|---|---|---|');
  for (const e of draft.timeline) {
    const text = e.kind === 'note' ? `${e.pinned ? '📌 **Pinned note:** ' : 'Note: '}${cell(e.text)}` : cell(e.text);
    out.push(`| ${formatTime(e.at)} | ${cell(e.actor)} | ${text} |`);
  }
  out.push('');
  return out.join('\n');
}

function section(out: string[], draft: PostmortemDraft, name: SectionName): void {
  const s = draft.sections[name];
  out.push(`## ${s.title}`, '');
  if (s.content !== null) {
    out.push(s.content.replace(/\r\n?/g, '\n').trimEnd(), '');
  } else {
    out.push(`> _To fill in: ${inline(s.placeholder)}_`, '');
  }
}

// ---- YAML front matter ---------------------------------------------------------------------

function frontMatter(draft: PostmortemDraft): string {
  const { incident, times, metrics } = draft;
  const lines = [
    '---',
    `title: ${yamlString(incident.title)}`,
    `incident: ${incident.number}`,
    `incident_id: ${yamlString(incident.id)}`,
    `severity: ${incident.severity}`,
    `worst_severity: ${incident.worstSeverity}`,
    `status: ${incident.status}`,
    `service: ${yamlString(incident.service)}`,
    `started: ${yamlString(times.start)}`,
    `detected: ${yamlString(times.detectedAt)}`,
    `acknowledged: ${yamlString(times.acknowledgedAt)}`,
    `mitigated: ${yamlString(times.mitigatedAt)}`,
    `resolved: ${yamlString(times.resolvedAt)}`,
    `duration_seconds: ${yamlNumber(metrics.durationSeconds)}`,
    `time_to_detect_seconds: ${yamlNumber(metrics.timeToDetectSeconds)}`,
    `time_to_acknowledge_seconds: ${yamlNumber(metrics.timeToAcknowledgeSeconds)}`,
    `time_to_mitigate_seconds: ${yamlNumber(metrics.timeToMitigateSeconds)}`,
    `time_to_resolve_seconds: ${yamlNumber(metrics.timeToResolveSeconds)}`,
    'roles:',
  ];
  for (const role of ROLES) {
    const holders = [...new Set(draft.roles.assignments.filter((a) => a.role === role).map((a) => a.holder))];
    lines.push(holders.length ? `  ${role}:` : `  ${role}: []`);
    for (const h of holders) lines.push(`    - ${yamlString(h)}`);
  }
  lines.push(
    `action_items_open: ${draft.actionItems.open}`,
    `action_items_done: ${draft.actionItems.done}`,
    `postmortem_version: ${draft.version}`,
    `generated_at: ${yamlString(draft.generatedAt)}`,
    `url: ${yamlString(draft.url)}`,
    '---',
  );
  return lines.join('\n');
}

/** A YAML double-quoted scalar (JSON's escapes are YAML's), or null. */
function yamlString(value: string | null): string {
  if (value === null) return 'null';
  return JSON.stringify(value)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    .replace(/\u0085/g, '\\u0085');
}

function yamlNumber(value: number | null): string {
  return value === null ? 'null' : String(value);
}

// ---- escaping ------------------------------------------------------------------------------

/** Text from the record, inline: Markdown and HTML characters escaped, lines joined. */
function inline(text: string): string {
  return text
    .replace(/\r\n?|\n/g, ' ')
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([#+=-])/, '$1\\$2');
}

/** Text in a table cell: as inline, line breaks kept as <br>. */
function cell(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map(inline)
    .join('<br>');
}

/** Inside backticks nothing is interpreted; only the backtick itself and line breaks need care. */
function code(text: string): string {
  return text
    .replace(/`/g, "'")
    .replace(/\r\n?|\n/g, ' ')
    .replace(/\|/g, '\\|');
}
