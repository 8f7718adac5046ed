import { CHART_COLORS, ChartModel, STATUS_COLORS } from './chart';

/** Geometry shared by the SVG and the PDF chart, in the chart's own units. */
export const CHART_LAYOUT = {
  width: 760,
  height: 228,
  left: 44,
  right: 20,
  labelRows: [14, 28],
  markerY: 40,
  plotTop: 50,
  plotBottom: 172,
  notesTop: 182,
  notesBottom: 196,
  axisY: 214,
};

/** Status changes close together share one label; each keeps its own dot and guide line. */
export interface MarkerGroup {
  /** Where the label is centred (kept inside the chart). */
  labelX: number;
  row: number;
  label: string;
  /** The label's colour: the status colour for a single change, grey for a group. */
  color: string;
  dots: Array<{ x: number; guideX: number; color: string }>;
}

export interface ChartGeometry {
  x(t: number): number;
  y(count: number): number;
  yMax: number;
  yTicks: number[];
  markers: MarkerGroup[];
}

/** Roughly how wide an 11-unit bold label is. */
const labelWidth = (label: string) => label.length * 6.4 + 10;
const GROUP_DISTANCE = 14;
const DOT_SPACING = 9;

export function chartGeometry(model: ChartModel): ChartGeometry {
  const L = CHART_LAYOUT;
  const plotWidth = L.width - L.left - L.right;
  const x = (t: number) => L.left + ((t - model.from) / (model.to - model.from)) * plotWidth;
  const yMax = Math.max(1, model.maxFiring);
  const y = (count: number) => L.plotBottom - (count / yMax) * (L.plotBottom - L.plotTop);
  const yTicks =
    yMax <= 1 ? [0, 1] : yMax <= 3 ? Array.from({ length: yMax + 1 }, (_, i) => i) : [0, Math.round(yMax / 2), yMax];

  // Status changes within a few units of each other form one group.
  const groups: Array<Array<{ x: number; color: string; label: string }>> = [];
  for (const s of model.statuses) {
    const point = { x: x(s.t), color: STATUS_COLORS[s.event], label: s.label };
    const last = groups[groups.length - 1];
    if (last && point.x - last[0].x < GROUP_DISTANCE) last.push(point);
    else groups.push([point]);
  }
  const lastEnd = [-Infinity, -Infinity];
  const markers = groups.map((group): MarkerGroup => {
    const centre = group.reduce((sum, p) => sum + p.x, 0) / group.length;
    const joined = group.map((p) => p.label).join(' · ');
    const label = group.length === 1 || labelWidth(joined) <= 220 ? joined : `${group[0].label} +${group.length - 1}`;
    const width = labelWidth(label);
    const labelX = Math.min(Math.max(centre, width / 2 + 2), L.width - width / 2 - 2);
    let row = lastEnd.findIndex((end) => labelX - width / 2 >= end);
    if (row === -1) row = lastEnd[0] <= lastEnd[1] ? 0 : 1;
    lastEnd[row] = labelX + width / 2 + 4;
    const first = centre - ((group.length - 1) * DOT_SPACING) / 2;
    return {
      labelX,
      row,
      label,
      color: group.length === 1 ? group[0].color : CHART_COLORS.text,
      dots: group.map((p, i) => ({
        x: group.length === 1 ? p.x : first + i * DOT_SPACING,
        guideX: p.x,
        color: p.color,
      })),
    };
  });
  return { x, y, yMax, yTicks, markers };
}

/** The number as SVG wants it: at most one decimal. */
const n = (value: number) => String(Math.round(value * 10) / 10);

/**
 * The incident over time as an inline SVG: firing alerts as a filled step line, status changes
 * as coloured markers with guide lines, notes as ticks (pinned ones taller and purple).
 * Labels are escaped by the caller's `escape`.
 */
export function renderSvgChart(model: ChartModel, escape: (s: string) => string): string {
  const L = CHART_LAYOUT;
  const g = chartGeometry(model);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${L.width} ${L.height}" width="100%" role="img" aria-labelledby="chart-title chart-desc" class="incident-chart" font-family="inherit">`,
    `<title id="chart-title">The incident over time</title>`,
    `<desc id="chart-desc">Firing alerts (step line, peak ${model.maxFiring}), ${model.statuses.length} status changes and ${model.notes.length} notes between ${new Date(model.from).toISOString()} and ${new Date(model.to).toISOString()}.</desc>`,
  );
  // Grid and y axis.
  for (const tick of g.yTicks) {
    const y = n(g.y(tick));
    parts.push(
      `<line x1="${L.left}" x2="${L.width - L.right}" y1="${y}" y2="${y}" stroke="${CHART_COLORS.grid}" stroke-width="1"/>`,
      `<text x="${L.left - 8}" y="${n(g.y(tick) + 4)}" text-anchor="end" font-size="11" fill="${CHART_COLORS.axis}">${tick}</text>`,
    );
  }
  // Time axis.
  parts.push(
    `<line x1="${L.left}" x2="${L.width - L.right}" y1="${L.notesBottom + 4}" y2="${L.notesBottom + 4}" stroke="${CHART_COLORS.axis}" stroke-width="1"/>`,
  );
  parts.push(
    `<text x="${L.left - 8}" y="${L.axisY}" text-anchor="end" font-size="10" fill="${CHART_COLORS.axis}">UTC</text>`,
  );
  for (const tick of model.ticks) {
    const x = n(g.x(tick.t));
    parts.push(
      `<line x1="${x}" x2="${x}" y1="${L.notesBottom + 4}" y2="${L.notesBottom + 8}" stroke="${CHART_COLORS.axis}"/>`,
      `<text x="${x}" y="${L.axisY}" text-anchor="middle" font-size="11" fill="${CHART_COLORS.axis}">${escape(tick.label)}</text>`,
    );
  }
  // Status guides behind the data.
  for (const dot of g.markers.flatMap((m) => m.dots)) {
    parts.push(
      `<line x1="${n(dot.guideX)}" x2="${n(dot.guideX)}" y1="${L.markerY}" y2="${L.notesBottom}" stroke="${dot.color}" stroke-width="1" stroke-dasharray="3 3" opacity="0.55"/>`,
    );
  }
  // Firing alerts: area and step line.
  const steps = model.firing;
  let path = `M${n(g.x(steps[0].t))} ${n(g.y(steps[0].count))}`;
  for (let i = 1; i < steps.length; i++) path += ` H${n(g.x(steps[i].t))} V${n(g.y(steps[i].count))}`;
  path += ` H${n(g.x(model.to))}`;
  parts.push(
    `<path d="${path} V${n(g.y(0))} H${n(g.x(steps[0].t))} Z" fill="${CHART_COLORS.fill}" stroke="none"/>`,
    `<path d="${path}" fill="none" stroke="${CHART_COLORS.line}" stroke-width="2.2" stroke-linejoin="round"/>`,
  );
  if (model.maxFiring === 0) {
    parts.push(
      `<text x="${n((L.left + L.width - L.right) / 2)}" y="${n((L.plotTop + L.plotBottom) / 2)}" text-anchor="middle" font-size="12" fill="${CHART_COLORS.axis}">No alerts attached</text>`,
    );
  }
  // Notes lane.
  for (const note of model.notes) {
    const x = n(g.x(note.t));
    if (note.pinned) {
      parts.push(
        `<line x1="${x}" x2="${x}" y1="${L.notesTop - 2}" y2="${L.notesBottom}" stroke="${CHART_COLORS.pinned}" stroke-width="2"/>`,
        `<circle cx="${x}" cy="${L.notesTop - 3}" r="3" fill="${CHART_COLORS.pinned}"/>`,
      );
    } else {
      parts.push(
        `<line x1="${x}" x2="${x}" y1="${L.notesTop + 4}" y2="${L.notesBottom}" stroke="${CHART_COLORS.note}" stroke-width="1.5"/>`,
      );
    }
  }
  // Status markers and labels on top.
  for (const m of g.markers) {
    for (const dot of m.dots) {
      parts.push(
        `<circle cx="${n(dot.x)}" cy="${L.markerY}" r="5" fill="${dot.color}" stroke="#fff" stroke-width="1.5"/>`,
      );
    }
    parts.push(
      `<text x="${n(m.labelX)}" y="${L.labelRows[m.row]}" text-anchor="middle" font-size="11" font-weight="600" fill="${m.color}">${escape(m.label)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}
