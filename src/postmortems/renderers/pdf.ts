import * as fs from 'node:fs';
import * as path from 'node:path';
import PDFDocument from 'pdfkit';
import type { PostmortemDraft, SectionName } from '../postmortem-draft';
import { chartModel, CHART_COLORS, ChartModel, STATUS_COLORS } from './chart';
import { CHART_LAYOUT, chartGeometry } from './svg-chart';
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

type Doc = PDFKit.PDFDocument;

interface Fonts {
  regular: string;
  bold: string;
  italic: string;
  /** False for the PDF standard fonts, which only know Windows-1252. */
  unicode: boolean;
}

export interface PdfOptions {
  /** Use the PDF standard fonts (Helvetica) even when DejaVu Sans is installed. */
  standardFonts?: boolean;
}

const FONT_DIRS = ['/usr/share/fonts/truetype/dejavu', '/usr/share/fonts/TTF', '/usr/share/fonts/dejavu'];
const FONT_FILES = { regular: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', italic: 'DejaVuSans-Oblique.ttf' };
let fontDir: string | null | undefined;

/** DejaVu Sans when installed (all of Unicode's common scripts), else Helvetica. */
function findFontDir(): string | null {
  if (fontDir === undefined) {
    fontDir = FONT_DIRS.find((dir) => Object.values(FONT_FILES).every((f) => fs.existsSync(path.join(dir, f)))) ?? null;
  }
  return fontDir;
}

const PAGE = { size: 'A4' as const, margin: 48 };
const COLORS = {
  text: '#212529',
  muted: '#868e96',
  faint: '#adb5bd',
  rule: '#dee2e6',
  soft: '#f8f9fa',
  pinned: '#f3f0ff',
  accent: '#5f3dc4',
};
const SEVERITY_COLORS: Record<string, [string, string]> = {
  SEV1: ['#c92a2a', '#ffffff'],
  SEV2: ['#e8590c', '#ffffff'],
  SEV3: ['#f59f00', '#212529'],
  SEV4: ['#74c0fc', '#0b3d66'],
};
const STATUS_BADGES: Record<string, [string, string]> = {
  triggered: ['#ffe3e3', '#c92a2a'],
  acknowledged: ['#fff3bf', '#8a6100'],
  mitigated: ['#d0ebff', '#1864ab'],
  resolved: ['#d3f9d8', '#2b8a3e'],
};

/**
 * The postmortem as a PDF (A4), drawn with pdfkit: the same content as the HTML, the chart
 * drawn with vector calls, and a footer with page numbers on every page.
 */
export function renderPdf(draft: PostmortemDraft, options: PdfOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: PAGE.size,
      margin: PAGE.margin,
      bufferPages: true,
      info: {
        Title: `Postmortem #${draft.incident.number}: ${draft.incident.title}`,
        Subject: 'Incident postmortem',
        Creator: 'Sitrep',
      },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      const dir = options.standardFonts ? null : findFontDir();
      let fonts: Fonts = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique', unicode: false };
      if (dir) {
        doc.registerFont('pm-regular', path.join(dir, FONT_FILES.regular));
        doc.registerFont('pm-bold', path.join(dir, FONT_FILES.bold));
        doc.registerFont('pm-italic', path.join(dir, FONT_FILES.italic));
        fonts = { regular: 'pm-regular', bold: 'pm-bold', italic: 'pm-italic', unicode: true };
      }
      new PdfWriter(doc, fonts).write(draft);
      doc.end();
    } catch (error) {
      reject(error);
    }
  });
}

/** A time in a table whose header says UTC. */
const utc = (value: string) => formatTime(value).replace(' UTC', '');

/** A table cell: a main text, optionally a second smaller grey line. */
interface Cell {
  text: string;
  bold?: boolean;
  color?: string;
  sub?: string;
  link?: string | null;
  /** A small coloured tag before the text (e.g. PINNED). */
  tag?: { text: string; fill: string; color: string };
}

interface Column {
  header: string;
  width: number;
}

class PdfWriter {
  private readonly left: number;
  private readonly width: number;

  constructor(
    private readonly doc: Doc,
    private readonly fonts: Fonts,
  ) {
    this.left = doc.page.margins.left;
    this.width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  }

  write(draft: PostmortemDraft): void {
    const { doc } = this;
    const { incident } = draft;
    doc.fillColor(COLORS.text);

    this.style('bold', 8, COLORS.muted);
    doc.text(
      this.t(`POSTMORTEM DRAFT · INCIDENT #${incident.number} · ${formatDay(draft.times.start).toUpperCase()}`),
      this.left,
      doc.y,
      {
        characterSpacing: 0.6,
      },
    );
    doc.moveDown(0.3);
    this.style('bold', 20, COLORS.text);
    doc.text(this.t(incident.title), { width: this.width });
    doc.moveDown(0.35);

    const badges: Array<[string, string, string]> = [
      [incident.severity, ...(SEVERITY_COLORS[incident.severity] ?? ['#e9ecef', COLORS.text])],
    ];
    if (incident.worstSeverity !== incident.severity)
      badges.push([`worst ${incident.worstSeverity}`, '#f1f3f5', COLORS.muted]);
    badges.push([
      incident.status[0].toUpperCase() + incident.status.slice(1),
      ...(STATUS_BADGES[incident.status] ?? ['#e9ecef', COLORS.text]),
    ]);
    if (incident.service) badges.push([incident.service, '#f3f0ff', COLORS.accent]);
    let x = this.left;
    const y = doc.y;
    for (const [text, fill, color] of badges) x += this.badge(text, x, y, fill, color) + 6;
    doc.y = y + 18;
    doc.x = this.left;
    if (incident.summary) {
      doc.moveDown(0.4);
      this.style('regular', 11, '#495057');
      doc.text(this.t(incident.summary), this.left, doc.y, { width: this.width });
    }
    doc.moveDown(0.9);

    this.figures(draft);
    this.chart(chartModel(draft));
    this.times(draft);

    this.section(draft, 'summary');
    this.section(draft, 'impact');

    this.heading('Response');
    this.subheading('Roles');
    if (draft.roles.assignments.length === 0) {
      this.empty('Nobody held a role.');
    } else {
      this.table(
        [
          { header: 'Role', width: 0.16 },
          { header: 'Who', width: 0.16 },
          { header: 'From (UTC)', width: 0.21 },
          { header: 'Until (UTC)', width: 0.21 },
          { header: 'How', width: 0.26 },
        ],
        draft.roles.assignments.map((r) => [
          { text: ROLE_TITLES[r.role] },
          { text: r.holder, bold: true },
          { text: utc(r.from) },
          { text: r.to ? utc(r.to) : 'still holds it', color: r.to ? undefined : COLORS.muted },
          {
            text: r.via === 'handoff' ? 'took over in a handoff' : `assigned by ${r.assignedBy}`,
            sub: r.endedBy ? `ended: ${r.endedBy}` : undefined,
          },
        ]),
      );
    }
    for (const h of draft.roles.handoffs) {
      this.line(`${formatTime(h.at)} — command handed off from ${h.from} to ${h.to} (by ${h.actor})`);
    }
    this.subheading('Severity');
    for (const s of draft.severityHistory) {
      this.line(
        `${formatTime(s.at)} — ${s.from ? `${s.from} → ` : 'declared '}${s.severity} by ${s.actor}${s.reason ? ` (${s.reason})` : ''}`,
      );
    }

    this.heading('Alerts');
    if (draft.alerts.length === 0) {
      this.empty('No alerts were attached to this incident.');
    } else {
      this.table(
        [
          { header: 'Alert', width: 0.34 },
          { header: 'Sev', width: 0.08 },
          { header: 'Fired (UTC)', width: 0.2 },
          { header: 'Labels', width: 0.28 },
          { header: 'Runbook', width: 0.1 },
        ],
        draft.alerts.slice(0, DOCUMENT_ALERT_LIMIT).map((a) => {
          const runbook = safeUrl(a.runbookUrl);
          return [
            { text: a.name, bold: true, sub: a.summary },
            { text: a.severity },
            { text: utc(a.startsAt), sub: a.endsAt ? `until ${formatClock(a.endsAt)}` : 'still firing' },
            {
              text:
                Object.entries(a.labels)
                  .filter(([k]) => k !== 'alertname')
                  .map(([k, v]) => `${k}=${v}`)
                  .join('  ') || '—',
              color: '#495057',
            },
            runbook ? { text: 'runbook', link: runbook, color: '#1971c2' } : { text: '—', color: COLORS.muted },
          ];
        }),
      );
      if (draft.alerts.length > DOCUMENT_ALERT_LIMIT) {
        this.empty(
          `…and ${draft.alerts.length - DOCUMENT_ALERT_LIMIT} more alerts (all of them are in the JSON format).`,
        );
      }
    }

    this.heading('Changes before the incident');
    if (draft.changes.length === 0) {
      this.empty(`No changes (deploys) of ${incident.service ?? 'the service'} in the hour before the incident.`);
    }
    for (const c of draft.changes) {
      const when =
        c.secondsBeforeStart >= 0
          ? `${formatDuration(c.secondsBeforeStart)} before the start`
          : `${formatDuration(-c.secondsBeforeStart)} after the start`;
      const facts = [formatTime(c.occurredAt), when, c.source, c.correlated ? 'correlated' : null]
        .filter(Boolean)
        .join(' · ');
      const extra = [
        ...c.links.filter((l) => safeUrl(l.href)).map((l) => l.text ?? l.href),
        ...detailLines(c.details).map(([k, v]) => `${k}: ${v}`),
      ].join('   ');
      this.change(c.summary, facts, extra);
    }

    for (const name of [
      'rootCause',
      'contributingFactors',
      'whatWentWell',
      'whatWentBadly',
      'lessonsLearned',
    ] as const) {
      this.section(draft, name);
    }

    this.heading('Action items');
    if (draft.actionItems.items.length === 0) {
      this.empty('No action items yet.');
    } else {
      this.style('regular', 9, COLORS.muted);
      doc.text(this.t(`${draft.actionItems.open} open · ${draft.actionItems.done} done`), this.left, doc.y);
      doc.moveDown(0.3);
      this.table(
        [
          { header: 'Action item', width: 0.54 },
          { header: 'Owner', width: 0.18 },
          { header: 'Due', width: 0.16 },
          { header: 'Status', width: 0.12 },
        ],
        draft.actionItems.items.map((i) => [
          { text: i.title },
          { text: i.owner ?? 'nobody', color: i.owner ? undefined : COLORS.muted },
          { text: i.dueDate ?? '—' },
          { text: i.status, bold: true, color: i.status === 'done' ? '#2b8a3e' : '#8a6100' },
        ]),
      );
    }

    this.heading('Timeline');
    this.style('regular', 8.5, COLORS.muted);
    doc.text(this.t('All times UTC. Pinned notes are highlighted.'), this.left, doc.y);
    doc.moveDown(0.3);
    this.table(
      [
        { header: 'Time', width: 0.2 },
        { header: 'Who', width: 0.16 },
        { header: 'What', width: 0.64 },
      ],
      draft.timeline.map((e) => [
        { text: utc(e.at) },
        { text: e.actor, color: '#495057' },
        e.kind === 'note'
          ? e.pinned
            ? { text: e.text, tag: { text: 'PINNED', fill: COLORS.accent, color: '#ffffff' } }
            : { text: `Note: ${e.text}` }
          : { text: e.text, bold: e.kind === 'status', color: e.kind === 'notification' ? COLORS.muted : undefined },
      ]),
      (row) => (draft.timeline[row].pinned ? COLORS.pinned : null),
    );

    doc.moveDown(1);
    this.style('regular', 8, COLORS.muted);
    doc.text(
      this.t(
        `Generated ${formatTime(draft.generatedAt)} from the incident record (incident version ${draft.incidentVersion}, postmortem version ${draft.version}).${draft.url ? ` ${draft.url}` : ''}`,
      ),
      this.left,
      doc.y,
      { width: this.width },
    );
    this.footers(draft);
  }

  // ---- blocks ------------------------------------------------------------------------------

  private figures(draft: PostmortemDraft): void {
    const { doc } = this;
    const figures = keyFigures(draft);
    const gap = 8;
    const w = (this.width - gap * (figures.length - 1)) / figures.length;
    const h = 52;
    const y = doc.y;
    figures.forEach(([label, value, hint], i) => {
      const x = this.left + i * (w + gap);
      doc.roundedRect(x, y, w, h, 5).lineWidth(0.8).fillAndStroke(COLORS.soft, '#e9ecef');
      this.fitted(label, 7, w - 14, 'bold', COLORS.muted);
      doc.text(this.t(label), x + 8, y + 7, { lineBreak: false });
      this.style('bold', 15, COLORS.text);
      doc.text(this.t(value), x + 8, y + 18, { width: w - 14, lineBreak: false });
      this.style('regular', 6.5, COLORS.faint);
      doc.text(this.t(hint), x + 8, y + 38, { width: w - 14, lineBreak: false });
    });
    doc.x = this.left;
    doc.y = y + h + 12;
  }

  /** The same chart as the HTML's SVG, drawn with pdfkit's vector operations. */
  private chart(model: ChartModel): void {
    const { doc } = this;
    const L = CHART_LAYOUT;
    const scale = this.width / L.width;
    const height = L.height * scale;
    this.ensureSpace(height + 30);
    const top = doc.y;
    const g = chartGeometry(model);
    const label = (
      text: string,
      x: number,
      baseline: number,
      size: number,
      color: string,
      align: 'left' | 'center' | 'right',
      bold = false,
    ) => {
      this.style(bold ? 'bold' : 'regular', size, color);
      const w = 240;
      const left = align === 'center' ? x - w / 2 : align === 'right' ? x - w : x;
      doc.text(this.t(text), left, baseline - size * 0.8, { width: w, align, lineBreak: false });
    };

    doc.save();
    doc.translate(this.left, top).scale(scale);
    for (const tick of g.yTicks) {
      doc
        .moveTo(L.left, g.y(tick))
        .lineTo(L.width - L.right, g.y(tick))
        .lineWidth(1)
        .strokeColor(CHART_COLORS.grid)
        .stroke();
      label(String(tick), L.left - 8, g.y(tick) + 4, 11, CHART_COLORS.axis, 'right');
    }
    const axisY = L.notesBottom + 4;
    doc
      .moveTo(L.left, axisY)
      .lineTo(L.width - L.right, axisY)
      .lineWidth(1)
      .strokeColor(CHART_COLORS.axis)
      .stroke();
    label('UTC', L.left - 8, L.axisY, 10, CHART_COLORS.axis, 'right');
    for (const tick of model.ticks) {
      const x = g.x(tick.t);
      doc
        .moveTo(x, axisY)
        .lineTo(x, axisY + 4)
        .lineWidth(1)
        .strokeColor(CHART_COLORS.axis)
        .stroke();
      label(tick.label, x, L.axisY, 11, CHART_COLORS.axis, 'center');
    }
    for (const dot of g.markers.flatMap((m) => m.dots)) {
      doc.save();
      doc
        .strokeOpacity(0.55)
        .dash(3, { space: 3 })
        .moveTo(dot.guideX, L.markerY)
        .lineTo(dot.guideX, L.notesBottom)
        .lineWidth(1)
        .strokeColor(dot.color)
        .stroke();
      doc.restore();
    }
    const steps = model.firing;
    const points: Array<[number, number]> = [[g.x(steps[0].t), g.y(steps[0].count)]];
    for (let i = 1; i < steps.length; i++) {
      points.push([g.x(steps[i].t), g.y(steps[i - 1].count)], [g.x(steps[i].t), g.y(steps[i].count)]);
    }
    points.push([g.x(model.to), g.y(steps[steps.length - 1].count)]);
    doc.moveTo(points[0][0], g.y(0));
    for (const [px, py] of points) doc.lineTo(px, py);
    doc
      .lineTo(points[points.length - 1][0], g.y(0))
      .closePath()
      .fill(CHART_COLORS.fill);
    doc.moveTo(points[0][0], points[0][1]);
    for (const [px, py] of points.slice(1)) doc.lineTo(px, py);
    doc.lineWidth(2.2).lineJoin('round').strokeColor(CHART_COLORS.line).stroke();
    if (model.maxFiring === 0) {
      label(
        'No alerts attached',
        (L.left + L.width - L.right) / 2,
        (L.plotTop + L.plotBottom) / 2,
        12,
        CHART_COLORS.axis,
        'center',
      );
    }
    for (const note of model.notes) {
      const x = g.x(note.t);
      if (note.pinned) {
        doc
          .moveTo(x, L.notesTop - 2)
          .lineTo(x, L.notesBottom)
          .lineWidth(2)
          .strokeColor(CHART_COLORS.pinned)
          .stroke();
        doc.circle(x, L.notesTop - 3, 3).fill(CHART_COLORS.pinned);
      } else {
        doc
          .moveTo(x, L.notesTop + 4)
          .lineTo(x, L.notesBottom)
          .lineWidth(1.5)
          .strokeColor(CHART_COLORS.note)
          .stroke();
      }
    }
    for (const m of g.markers) {
      for (const dot of m.dots) doc.circle(dot.x, L.markerY, 5).lineWidth(1.5).fillAndStroke(dot.color, '#ffffff');
      label(m.label, m.labelX, L.labelRows[m.row], 11, m.color, 'center', true);
    }
    doc.restore();

    // Legend.
    let x = this.left + 8;
    const y = top + height + 4;
    const item = (draw: (x: number) => void, text: string) => {
      draw(x);
      this.style('regular', 7.5, '#495057');
      doc.text(this.t(text), x + 14, y, { lineBreak: false });
      x += 14 + doc.widthOfString(this.t(text)) + 12;
    };
    item((lx) => doc.rect(lx, y + 3, 10, 2.2).fill(CHART_COLORS.line), 'Firing alerts');
    for (const event of ['declared', 'acknowledged', 'mitigated', 'resolved', 'reopened'] as const) {
      if (!model.statuses.some((s) => s.event === event)) continue;
      item((lx) => doc.circle(lx + 5, y + 4, 3.2).fill(STATUS_COLORS[event]), event[0].toUpperCase() + event.slice(1));
    }
    item((lx) => doc.rect(lx + 4, y, 1.4, 8).fill(CHART_COLORS.note), 'Note');
    item((lx) => doc.rect(lx + 4, y - 1, 2, 9).fill(CHART_COLORS.pinned), 'Pinned note');
    doc.x = this.left;
    doc.y = y + 18;
  }

  private times(draft: PostmortemDraft): void {
    const { doc } = this;
    const times = keyTimes(draft);
    const w = this.width / times.length;
    const y = doc.y;
    let bottom = y;
    times.forEach(([label, at], i) => {
      const x = this.left + i * w;
      this.fitted(label, 7, w - 6, 'bold', COLORS.muted);
      doc.text(this.t(label), x, y, { lineBreak: false });
      this.style('bold', 11, at ? COLORS.text : COLORS.muted);
      doc.text(at ? formatClock(at) : '—', x, y + 10, { lineBreak: false });
      if (at) {
        this.style('regular', 7.5, COLORS.muted);
        doc.text(this.t(`${formatDay(at)} UTC`), x, y + 24, { lineBreak: false });
      }
      bottom = Math.max(bottom, y + 34);
    });
    doc.x = this.left;
    doc.y = bottom + 14;
  }

  private section(draft: PostmortemDraft, name: SectionName): void {
    const { doc } = this;
    const s = draft.sections[name];
    this.heading(s.title);
    if (s.content !== null) {
      this.style('regular', 10, COLORS.text);
      for (const paragraph of s.content.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
        if (!paragraph.trim()) continue;
        doc.text(this.t(paragraph.trim()), this.left, doc.y, { width: this.width, lineGap: 2 });
        doc.moveDown(0.5);
      }
      return;
    }
    const text = this.t(s.placeholder);
    this.style('italic', 9.5, COLORS.muted);
    const h = doc.heightOfString(text, { width: this.width - 24 }) + 26;
    this.ensureSpace(h + 4);
    const y = doc.y;
    doc.save();
    doc.roundedRect(this.left, y, this.width, h, 5).fill(COLORS.soft);
    doc
      .roundedRect(this.left, y, this.width, h, 5)
      .dash(3, { space: 3 })
      .lineWidth(0.8)
      .strokeColor('#ced4da')
      .stroke();
    doc.restore();
    this.style('bold', 6.5, COLORS.faint);
    doc.text('TO FILL IN', this.left + 12, y + 7, { characterSpacing: 0.5, lineBreak: false });
    this.style('italic', 9.5, COLORS.muted);
    doc.text(text, this.left + 12, y + 17, { width: this.width - 24 });
    doc.x = this.left;
    doc.y = y + h + 6;
  }

  private change(summary: string, facts: string, extra: string): void {
    const { doc } = this;
    this.style('bold', 10, COLORS.text);
    let h = doc.heightOfString(this.t(summary), { width: this.width - 12 }) + 14;
    if (extra) h += 12;
    this.ensureSpace(h);
    const y = doc.y;
    doc.rect(this.left, y, 2.5, h - 4).fill(COLORS.accent);
    this.style('bold', 10, COLORS.text);
    doc.text(this.t(summary), this.left + 10, y, { width: this.width - 12 });
    this.style('regular', 8.5, COLORS.muted);
    doc.text(this.t(facts), this.left + 10, doc.y + 1, { width: this.width - 12 });
    if (extra) {
      this.style('regular', 8.5, '#495057');
      doc.text(this.t(extra), this.left + 10, doc.y + 1, { width: this.width - 12, lineBreak: false, ellipsis: true });
    }
    doc.x = this.left;
    doc.y = Math.max(doc.y, y + h - 4) + 6;
  }

  // ---- primitives --------------------------------------------------------------------------

  private heading(text: string): void {
    const { doc } = this;
    this.ensureSpace(70);
    doc.moveDown(0.8);
    this.style('bold', 13, COLORS.text);
    doc.text(this.t(text), this.left, doc.y, { width: this.width });
    const y = doc.y + 2;
    doc
      .moveTo(this.left, y)
      .lineTo(this.left + this.width, y)
      .lineWidth(1.2)
      .strokeColor('#e9ecef')
      .stroke();
    doc.x = this.left;
    doc.y = y + 7;
  }

  private subheading(text: string): void {
    const { doc } = this;
    this.ensureSpace(50);
    doc.moveDown(0.2);
    this.style('bold', 8, '#495057');
    doc.text(this.t(text.toUpperCase()), this.left, doc.y, { characterSpacing: 0.5 });
    doc.moveDown(0.35);
  }

  private line(text: string): void {
    this.style('regular', 9.5, COLORS.text);
    this.ensureSpace(this.doc.heightOfString(this.t(text), { width: this.width }) + 2);
    this.doc.text(this.t(text), this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.2);
  }

  private empty(text: string): void {
    this.style('italic', 9.5, COLORS.muted);
    this.doc.text(this.t(text), this.left, this.doc.y, { width: this.width });
    this.doc.moveDown(0.3);
  }

  private badge(text: string, x: number, y: number, fill: string, color: string): number {
    const { doc } = this;
    this.style('bold', 8, color);
    const label = this.t(text);
    const w = doc.widthOfString(label) + 14;
    doc.roundedRect(x, y, w, 15, 7.5).fill(fill);
    this.style('bold', 8, color);
    doc.text(label, x + 7, y + 3.6, { lineBreak: false });
    return w;
  }

  private table(columns: Column[], rows: Cell[][], rowFill?: (index: number) => string | null): void {
    const { doc } = this;
    const pad = 4;
    const widths = columns.map((c) => c.width * this.width);
    const header = () => {
      this.style('bold', 7, COLORS.muted);
      const y = doc.y;
      let x = this.left;
      columns.forEach((c, i) => {
        doc.text(this.t(c.header.toUpperCase()), x + pad, y + pad, {
          width: widths[i] - 2 * pad,
          lineBreak: false,
          characterSpacing: 0.3,
        });
        x += widths[i];
      });
      const bottom = y + 16;
      doc
        .moveTo(this.left, bottom)
        .lineTo(this.left + this.width, bottom)
        .lineWidth(1.2)
        .strokeColor(COLORS.rule)
        .stroke();
      doc.x = this.left;
      doc.y = bottom;
    };
    const cellHeight = (cell: Cell, width: number) => {
      const inner = width - 2 * pad - (cell.tag ? this.tagWidth(cell.tag.text) + 4 : 0);
      this.style(cell.bold ? 'bold' : 'regular', 8.5, COLORS.text);
      let h = doc.heightOfString(this.t(cell.text) || ' ', { width: inner });
      if (cell.sub) {
        this.style('regular', 7.5, COLORS.muted);
        h += doc.heightOfString(this.t(cell.sub), { width: width - 2 * pad }) + 1;
      }
      return h;
    };
    this.ensureSpace(40);
    header();
    rows.forEach((row, index) => {
      const h = Math.max(...row.map((cell, i) => cellHeight(cell, widths[i]))) + 2 * pad + 1;
      if (doc.y + h > doc.page.height - doc.page.margins.bottom) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      const fill = rowFill?.(index);
      if (fill) doc.rect(this.left, y, this.width, h).fill(fill);
      if (fill === COLORS.pinned) doc.rect(this.left, y, 2.5, h).fill(COLORS.accent);
      let x = this.left;
      row.forEach((cell, i) => {
        let textX = x + pad;
        const width = widths[i] - 2 * pad;
        if (cell.tag) {
          const w = this.tagWidth(cell.tag.text);
          doc.roundedRect(textX, y + pad + 0.5, w, 10, 2).fill(cell.tag.fill);
          this.style('bold', 6.5, cell.tag.color);
          doc.text(cell.tag.text, textX + 4, y + pad + 2.6, { lineBreak: false, characterSpacing: 0.3 });
          textX += w + 4;
        }
        this.style(cell.bold ? 'bold' : 'regular', 8.5, cell.color ?? COLORS.text);
        doc.text(this.t(cell.text), textX, y + pad, {
          width: width - (textX - x - pad),
          ...(cell.link ? { link: cell.link, underline: true } : {}),
        });
        if (cell.sub) {
          this.style('regular', 7.5, COLORS.muted);
          doc.text(this.t(cell.sub), x + pad, doc.y + 1, { width });
        }
        x += widths[i];
      });
      doc
        .moveTo(this.left, y + h)
        .lineTo(this.left + this.width, y + h)
        .lineWidth(0.5)
        .strokeColor('#f1f3f5')
        .stroke();
      doc.x = this.left;
      doc.y = y + h;
    });
    doc.moveDown(0.6);
  }

  /** Sets a font size no larger than `size` at which `text` fits in `width`. */
  private fitted(text: string, size: number, width: number, weight: 'regular' | 'bold', color: string): void {
    this.style(weight, size, color);
    const natural = this.doc.widthOfString(this.t(text));
    if (natural > width) this.style(weight, Math.max(5, (size * width) / natural), color);
  }

  private tagWidth(text: string): number {
    this.style('bold', 6.5, COLORS.text);
    return this.doc.widthOfString(text, { characterSpacing: 0.3 }) + 8;
  }

  private footers(draft: PostmortemDraft): void {
    const { doc } = this;
    const range = doc.bufferedPageRange();
    const title = this.t(`Postmortem #${draft.incident.number} · ${draft.incident.title}`);
    for (let i = range.start; i < range.start + range.count; i++) {
      doc.switchToPage(i);
      const bottom = doc.page.margins.bottom;
      // Writing inside the bottom margin must not start a new page.
      doc.page.margins.bottom = 0;
      const y = doc.page.height - 30;
      doc
        .moveTo(this.left, y - 6)
        .lineTo(this.left + this.width, y - 6)
        .lineWidth(0.5)
        .strokeColor('#e9ecef')
        .stroke();
      this.style('regular', 7.5, COLORS.faint);
      doc.text(title, this.left, y, { width: this.width * 0.8, lineBreak: false, ellipsis: true });
      doc.text(`Page ${i - range.start + 1} of ${range.count}`, this.left, y, {
        width: this.width,
        align: 'right',
        lineBreak: false,
      });
      doc.page.margins.bottom = bottom;
    }
  }

  private ensureSpace(height: number): void {
    const { doc } = this;
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      doc.x = this.left;
    }
  }

  private style(weight: 'regular' | 'bold' | 'italic', size: number, color: string): void {
    this.doc.font(this.fonts[weight]).fontSize(size).fillColor(color);
  }

  /** Text the current fonts can show: the standard fonts only know Windows-1252. */
  private t(text: string): string {
    if (this.fonts.unicode) return text;
    return text
      .replace(/→/g, '->')
      .replace(/[^\x20-\x7e\xa0-\xff\n\t\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u20ac\u2122]/g, '?');
  }
}
