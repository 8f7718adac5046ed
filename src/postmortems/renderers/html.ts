import type { PostmortemDraft, SectionName } from '../postmortem-draft';
import { chartModel, CHART_COLORS, STATUS_COLORS } from './chart';
import { renderSvgChart } from './svg-chart';
import {
  detailLines,
  DOCUMENT_ALERT_LIMIT,
  formatClock,
  formatDay,
  formatDuration,
  formatTime,
  keyFigures,
  keyTimes,
  ROLE_TITLES,
  safeUrl,
} from './text';

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
const e = escapeHtml;

/**
 * A self-contained HTML document for reading and printing: inline CSS (with print rules), an
 * inline SVG chart, no scripts, no external resources. Every text from the record is escaped;
 * only http(s) URLs become links.
 */
export function renderHtml(draft: PostmortemDraft): string {
  const { incident } = draft;
  const title = `Postmortem #${incident.number}: ${incident.title}`;
  const body: string[] = [];

  body.push(
    '<header class="doc-header">',
    `<p class="eyebrow">Postmortem draft · Incident #${incident.number} · ${e(formatDay(draft.times.start))}</p>`,
    `<h1>${e(incident.title)}</h1>`,
    '<p class="badges">',
    `<span class="badge sev sev-${e(incident.severity.toLowerCase())}">${e(incident.severity)}</span>`,
    incident.worstSeverity !== incident.severity
      ? `<span class="badge muted">worst ${e(incident.worstSeverity)}</span>`
      : '',
    `<span class="badge status status-${e(incident.status)}">${e(incident.status)}</span>`,
    incident.service ? `<span class="badge service">${e(incident.service)}</span>` : '',
    '</p>',
    incident.summary ? `<p class="lede">${e(incident.summary)}</p>` : '',
    '</header>',
  );

  body.push('<section class="figures" aria-label="Key figures">');
  for (const [label, value, hint] of keyFigures(draft)) {
    body.push(
      `<div class="figure"><div class="figure-label">${e(label)}</div><div class="figure-value">${e(value)}</div><div class="figure-hint">${e(hint)}</div></div>`,
    );
  }
  body.push('</section>');

  const model = chartModel(draft);
  body.push(
    '<figure class="chart">',
    renderSvgChart(model, e),
    '<figcaption class="legend">',
    `<span><i class="swatch" style="background:${CHART_COLORS.line}"></i>Firing alerts</span>`,
    ...(['declared', 'acknowledged', 'mitigated', 'resolved', 'reopened'] as const)
      .filter((s) => model.statuses.some((m) => m.event === s))
      .map(
        (s) =>
          `<span><i class="dot" style="background:${STATUS_COLORS[s]}"></i>${e(s[0].toUpperCase() + s.slice(1))}</span>`,
      ),
    `<span><i class="tick" style="background:${CHART_COLORS.note}"></i>Note</span>`,
    `<span><i class="tick pinned" style="background:${CHART_COLORS.pinned}"></i>Pinned note</span>`,
    '</figcaption>',
    '</figure>',
  );

  body.push('<dl class="times">');
  for (const [label, at] of keyTimes(draft)) {
    body.push(
      `<div><dt>${e(label)}</dt><dd>${at ? `<span class="clock">${e(formatClock(at))}</span><span class="date">${e(formatDay(at))} UTC</span>` : '<span class="clock muted">—</span>'}</dd></div>`,
    );
  }
  body.push('</dl>');

  body.push(section(draft, 'summary'), section(draft, 'impact'));

  body.push('<section><h2>Response</h2><h3>Roles</h3>');
  if (draft.roles.assignments.length === 0) {
    body.push('<p class="empty">Nobody held a role.</p>');
  } else {
    body.push('<table><thead><tr><th>Role</th><th>Who</th><th>From</th><th>Until</th><th>How</th></tr></thead><tbody>');
    for (const r of draft.roles.assignments) {
      const how = [r.via === 'handoff' ? 'took over in a handoff' : `assigned by ${r.assignedBy}`];
      if (r.endedBy) how.push(`ended: ${r.endedBy}`);
      body.push(
        `<tr><td>${e(ROLE_TITLES[r.role])}</td><td><strong>${e(r.holder)}</strong></td><td class="nowrap">${e(formatTime(r.from))}</td><td class="nowrap">${r.to ? e(formatTime(r.to)) : '<span class="muted">still holds it</span>'}</td><td>${e(how.join('; '))}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  if (draft.roles.handoffs.length) {
    body.push('<ul class="plain">');
    for (const h of draft.roles.handoffs) {
      body.push(
        `<li><span class="nowrap">${e(formatTime(h.at))}</span> — command handed off from <strong>${e(h.from)}</strong> to <strong>${e(h.to)}</strong> (by ${e(h.actor)})</li>`,
      );
    }
    body.push('</ul>');
  }
  body.push('<h3>Severity</h3><ul class="plain">');
  for (const s of draft.severityHistory) {
    body.push(
      `<li><span class="nowrap">${e(formatTime(s.at))}</span> — ${s.from ? `${e(s.from)} → ` : 'declared '}<span class="badge sev sev-${e(s.severity.toLowerCase())}">${e(s.severity)}</span> by ${e(s.actor)}${s.reason ? ` <span class="muted">(${e(s.reason)})</span>` : ''}</li>`,
    );
  }
  body.push('</ul></section>');

  body.push('<section><h2>Alerts</h2>');
  if (draft.alerts.length === 0) {
    body.push('<p class="empty">No alerts were attached to this incident.</p>');
  } else {
    body.push(
      '<table class="alerts"><thead><tr><th>Alert</th><th>Severity</th><th>Fired</th><th>Labels</th><th>Runbook</th></tr></thead><tbody>',
    );
    for (const a of draft.alerts.slice(0, DOCUMENT_ALERT_LIMIT)) {
      const runbook = safeUrl(a.runbookUrl);
      const source = safeUrl(a.generatorUrl);
      const labels = Object.entries(a.labels)
        .filter(([k]) => k !== 'alertname')
        .map(([k, v]) => `<span class="label">${e(k)}=${e(v)}</span>`)
        .join(' ');
      body.push(
        `<tr><td><strong>${e(a.name)}</strong><div>${e(a.summary)}</div>${a.description && a.description !== a.summary ? `<div class="muted small">${e(a.description)}</div>` : ''}</td>`,
        `<td><span class="badge sev sev-${e(a.severity.toLowerCase())}">${e(a.severity)}</span></td>`,
        `<td class="nowrap">${e(formatTime(a.startsAt))}<div class="muted small">${a.endsAt ? `until ${e(formatClock(a.endsAt))}` : 'still firing'}</div></td>`,
        `<td class="labels">${labels || '<span class="muted">—</span>'}</td>`,
        `<td>${runbook ? `<a href="${e(runbook)}" rel="noopener noreferrer">runbook</a>` : '<span class="muted">—</span>'}${source ? `<div><a class="small" href="${e(source)}" rel="noopener noreferrer">source</a></div>` : ''}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
    if (draft.alerts.length > DOCUMENT_ALERT_LIMIT) {
      body.push(
        `<p class="muted">…and ${draft.alerts.length - DOCUMENT_ALERT_LIMIT} more alerts (all of them are in the JSON format).</p>`,
      );
    }
  }
  body.push('</section>');

  body.push('<section><h2>Changes before the incident</h2>');
  if (draft.changes.length === 0) {
    body.push(
      `<p class="empty">No changes (deploys) of ${incident.service ? `<code>${e(incident.service)}</code>` : 'the service'} in the hour before the incident.</p>`,
    );
  } else {
    body.push('<ul class="changes">');
    for (const c of draft.changes) {
      const when =
        c.secondsBeforeStart >= 0
          ? `${formatDuration(c.secondsBeforeStart)} before the start`
          : `${formatDuration(-c.secondsBeforeStart)} after the start`;
      const links = c.links
        .map((l) => ({ href: safeUrl(l.href), text: l.text ?? l.href }))
        .filter((l): l is { href: string; text: string } => l.href !== null)
        .map((l) => `<a href="${e(l.href)}" rel="noopener noreferrer">${e(l.text)}</a>`);
      const details = detailLines(c.details).map(([k, v]) => `<span class="label">${e(k)}: ${e(v)}</span>`);
      body.push(
        `<li><div><strong>${e(c.summary)}</strong></div><div class="muted small">${e(formatTime(c.occurredAt))} · ${e(when)}${c.source ? ` · ${e(c.source)}` : ''}${c.correlated ? ' · correlated' : ''}</div>${links.length || details.length ? `<div class="small">${[...links, ...details].join(' ')}</div>` : ''}</li>`,
      );
    }
    body.push('</ul>');
  }
  body.push('</section>');

  for (const name of ['rootCause', 'contributingFactors', 'whatWentWell', 'whatWentBadly', 'lessonsLearned'] as const) {
    body.push(section(draft, name));
  }

  body.push('<section><h2>Action items</h2>');
  if (draft.actionItems.items.length === 0) {
    body.push('<p class="empty">No action items yet.</p>');
  } else {
    body.push(`<p class="muted">${draft.actionItems.open} open · ${draft.actionItems.done} done</p>`);
    body.push('<table><thead><tr><th>Action item</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>');
    for (const i of draft.actionItems.items) {
      body.push(
        `<tr><td>${e(i.title)}</td><td>${i.owner ? e(i.owner) : '<span class="muted">nobody</span>'}</td><td class="nowrap">${i.dueDate ? e(i.dueDate) : '<span class="muted">—</span>'}</td><td><span class="badge item-${e(i.status)}">${e(i.status)}</span></td></tr>`,
      );
    }
    body.push('</tbody></table>');
  }
  body.push('</section>');

  body.push(
    '<section class="timeline"><h2>Timeline</h2><p class="muted small">All times UTC. Pinned notes are highlighted.</p>',
  );
  body.push('<table><thead><tr><th>Time</th><th>Who</th><th>What</th></tr></thead><tbody>');
  let day = '';
  for (const entry of draft.timeline) {
    const entryDay = entry.at.slice(0, 10);
    if (entryDay !== day) {
      day = entryDay;
      body.push(`<tr class="day"><td colspan="3">${e(formatDay(entry.at))}</td></tr>`);
    }
    const what =
      entry.kind === 'note'
        ? `${entry.pinned ? '<span class="pin">Pinned note</span> ' : '<span class="muted">Note:</span> '}${multiline(entry.text)}`
        : e(entry.text);
    body.push(
      `<tr class="kind-${e(entry.kind)}${entry.pinned ? ' pinned' : ''}"><td class="nowrap">${e(formatClock(entry.at))}</td><td>${e(entry.actor)}</td><td>${what}</td></tr>`,
    );
  }
  body.push('</tbody></table></section>');

  const url = safeUrl(draft.url);
  body.push(
    `<footer>Generated ${e(formatTime(draft.generatedAt))} from the incident record (incident version ${draft.incidentVersion}, postmortem version ${draft.version}).${url ? ` <a href="${e(url)}" rel="noopener noreferrer">Open the incident</a>.` : ''}</footer>`,
  );

  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main class="doc">',
    ...body.filter((part) => part !== ''),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function section(draft: PostmortemDraft, name: SectionName): string {
  const s = draft.sections[name];
  const content =
    s.content !== null
      ? `<div class="written">${blocks(s.content)}</div>`
      : `<p class="placeholder"><span class="placeholder-tag">To fill in</span> ${e(s.placeholder)}</p>`;
  return `<section class="section section-${e(name)}"><h2>${e(s.title)}</h2>${content}</section>`;
}

/** Paragraphs split on blank lines; a block of "- " lines becomes a list. Everything escaped. */
function blocks(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n\s*\n/)
    .map((block) => block.trim())
    .filter(Boolean)
    .map((block) => {
      const lines = block.split('\n');
      if (lines.every((l) => /^\s*[-*]\s+/.test(l))) {
        return `<ul>${lines.map((l) => `<li>${e(l.replace(/^\s*[-*]\s+/, ''))}</li>`).join('')}</ul>`;
      }
      return `<p>${lines.map(e).join('<br>')}</p>`;
    })
    .join('');
}

function multiline(text: string): string {
  return text
    .split(/\r\n?|\n/)
    .map(e)
    .join('<br>');
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #f1f3f5; color: #212529; font: 15px/1.55 -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif; }
.doc { max-width: 900px; margin: 24px auto; padding: 40px 48px 32px; background: #fff; border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
h1 { font-size: 28px; line-height: 1.25; margin: 4px 0 10px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 34px 0 12px; padding-bottom: 6px; border-bottom: 2px solid #e9ecef; }
h3 { font-size: 15px; margin: 18px 0 8px; color: #495057; text-transform: uppercase; letter-spacing: .04em; }
p { margin: 0 0 10px; }
a { color: #1971c2; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: #f1f3f5; padding: 1px 5px; border-radius: 4px; }
.eyebrow { margin: 0; color: #868e96; font-size: 13px; font-weight: 600; letter-spacing: .05em; text-transform: uppercase; }
.lede { font-size: 16px; color: #495057; margin-top: 12px; }
.badges { margin: 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 12px; font-weight: 600; line-height: 1.6; background: #e9ecef; color: #495057; white-space: nowrap; }
.badge.muted { background: #f1f3f5; color: #868e96; }
.sev-sev1 { background: #c92a2a; color: #fff; }
.sev-sev2 { background: #e8590c; color: #fff; }
.sev-sev3 { background: #f59f00; color: #212529; }
.sev-sev4 { background: #74c0fc; color: #0b3d66; }
.status { text-transform: capitalize; }
.status-resolved { background: #d3f9d8; color: #2b8a3e; }
.status-mitigated { background: #d0ebff; color: #1864ab; }
.status-acknowledged { background: #fff3bf; color: #8a6100; }
.status-triggered { background: #ffe3e3; color: #c92a2a; }
.service { background: #f3f0ff; color: #5f3dc4; }
.item-open { background: #fff3bf; color: #8a6100; }
.item-done { background: #d3f9d8; color: #2b8a3e; }
.figures { display: grid; grid-template-columns: repeat(5, 1fr); gap: 10px; margin: 26px 0 18px; }
.figure { border: 1px solid #e9ecef; border-radius: 8px; padding: 10px 12px; background: #f8f9fa; }
.figure-label { font-size: 12px; font-weight: 600; color: #868e96; white-space: nowrap; }
.figure-value { font-size: 22px; font-weight: 700; margin: 2px 0; font-variant-numeric: tabular-nums; }
.figure-hint { font-size: 11px; color: #adb5bd; }
.chart { margin: 8px 0 6px; padding: 12px 12px 8px; border: 1px solid #e9ecef; border-radius: 8px; }
.chart svg { display: block; width: 100%; height: auto; }
.legend { display: flex; flex-wrap: wrap; gap: 6px 16px; font-size: 12px; color: #495057; padding: 6px 4px 0 40px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.swatch { display: inline-block; width: 16px; height: 3px; border-radius: 2px; }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; }
.tick { display: inline-block; width: 2px; height: 11px; }
.tick.pinned { width: 3px; height: 13px; }
.times { display: grid; grid-template-columns: repeat(5, 1fr); gap: 8px; margin: 14px 0 0; }
.times div { padding: 0 4px; }
.times dt { font-size: 12px; color: #868e96; font-weight: 600; }
.times dd { margin: 2px 0 0; }
.times .clock { display: block; font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
.times .date { display: block; font-size: 12px; color: #868e96; }
.placeholder { border: 1px dashed #ced4da; border-radius: 8px; padding: 12px 14px; color: #868e96; background: #f8f9fa; font-style: italic; }
.placeholder-tag { font-style: normal; font-size: 11px; font-weight: 700; letter-spacing: .05em; text-transform: uppercase; color: #adb5bd; margin-right: 6px; }
.written ul { margin: 0 0 10px; padding-left: 22px; }
.empty { color: #868e96; font-style: italic; }
table { width: 100%; border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
th { text-align: left; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; color: #868e96; font-weight: 600; border-bottom: 2px solid #dee2e6; padding: 6px 8px; }
td { border-bottom: 1px solid #f1f3f5; padding: 7px 8px; vertical-align: top; overflow-wrap: anywhere; }
tbody tr:nth-child(even) td { background: #fcfcfd; }
.nowrap { white-space: nowrap; }
.muted { color: #868e96; }
.small { font-size: 12px; }
.label { display: inline-block; font: 11px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: #f1f3f5; color: #495057; border-radius: 4px; padding: 0 5px; margin: 1px 0; }
td.labels { max-width: 280px; }
ul.plain { list-style: none; padding: 0; margin: 0 0 8px; font-size: 14px; }
ul.plain li { padding: 3px 0; }
ul.changes { list-style: none; padding: 0; margin: 0; }
ul.changes li { border-left: 3px solid #5f3dc4; padding: 4px 0 4px 12px; margin: 0 0 10px; }
.timeline tr.day td { background: #f8f9fa; font-weight: 700; color: #495057; font-size: 12px; padding-top: 10px; }
.timeline td:first-child { width: 76px; font-variant-numeric: tabular-nums; color: #495057; }
.timeline td:nth-child(2) { width: 110px; color: #495057; }
.timeline tr.kind-status td:nth-child(3) { font-weight: 600; }
.timeline tr.kind-notification td { color: #868e96; }
.timeline tr.pinned td { background: #f3f0ff; }
.timeline tr.pinned td:first-child { box-shadow: inset 3px 0 0 #5f3dc4; }
.pin { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .04em; color: #fff; background: #5f3dc4; border-radius: 4px; padding: 0 6px; margin-right: 4px; }
footer { margin-top: 32px; padding-top: 12px; border-top: 1px solid #e9ecef; font-size: 12px; color: #868e96; }
@media (max-width: 760px) {
  .doc { margin: 0; padding: 24px 18px; border-radius: 0; }
  .figures, .times { grid-template-columns: repeat(2, 1fr); }
}
@page { size: A4; margin: 16mm 14mm; }
@media print {
  body { background: #fff; font-size: 10.5pt; }
  .doc { max-width: none; margin: 0; padding: 0; box-shadow: none; border-radius: 0; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  tr, .figure, .chart, .placeholder, ul.changes li { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
  footer { break-before: avoid; }
}
`;
