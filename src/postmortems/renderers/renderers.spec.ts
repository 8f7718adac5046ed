import { parse as parseYaml } from 'yaml';
import { buildDraft } from '../build-draft';
import { SECTION_INFO, SECTION_NAMES } from '../postmortem-draft';
import { at, emptyRecord, syntheticRecord } from '../synthetic-record';
import { chartModel, timeTicks } from './chart';
import { renderHtml } from './html';
import { renderMarkdown } from './markdown';
import { renderPdf } from './pdf';
import { formatDuration } from './text';

const full = buildDraft(syntheticRecord());
const empty = buildDraft(emptyRecord());

function frontMatter(markdown: string): Record<string, unknown> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) throw new Error('no front matter');
  return parseYaml(match[1]) as Record<string, unknown>;
}

describe('renderers', () => {
  describe('Markdown', () => {
    it('starts with YAML front matter holding number, severity, dates, metrics and roles', () => {
      expect(frontMatter(renderMarkdown(full))).toEqual({
        title: 'Checkout 5xx above 5%',
        incident: 42,
        incident_id: full.incident.id,
        severity: 'SEV1',
        worst_severity: 'SEV1',
        status: 'resolved',
        service: 'checkout',
        started: at(-2).toISOString(),
        detected: at(0).toISOString(),
        acknowledged: at(3).toISOString(),
        mitigated: at(15).toISOString(),
        resolved: at(17).toISOString(),
        duration_seconds: 1140,
        time_to_detect_seconds: 120,
        time_to_acknowledge_seconds: 300,
        time_to_mitigate_seconds: 1020,
        time_to_resolve_seconds: 1140,
        roles: { commander: ['bob', 'alice'], deputy: ['alice'], scribe: ['carol'], communications: [] },
        action_items_open: 1,
        action_items_done: 1,
        postmortem_version: 1,
        generated_at: full.generatedAt,
        url: full.url,
      });
    });

    it('has every section, the written one as written and the others with their placeholder', () => {
      const md = renderMarkdown(full);
      for (const name of SECTION_NAMES) expect(md).toContain(`## ${SECTION_INFO[name].title}\n`);
      expect(md).toContain('Deploy 4711 shipped a connection pool of 2.');
      expect(md).toContain(`_To fill in: ${SECTION_INFO.impact.placeholder}_`);
      expect(md).toContain('📌 **Pinned note:** Rolling back deploy 4711 \\<now\\>');
      expect(md).toContain('[runbook](<https://runbooks.example.com/HighErrorRatio>)');
      expect(md).not.toContain('javascript:');
    });

    it('keeps front matter valid YAML whatever the title says', () => {
      const draft = buildDraft(emptyRecord());
      draft.incident.title = 'x: "y"\n---\n# z\u2028 \\ #tag';
      expect(frontMatter(renderMarkdown(draft)).title).toBe(draft.incident.title);
    });

    it('renders an empty incident', () => {
      const md = renderMarkdown(empty);
      expect(frontMatter(md)).toMatchObject({ incident: 7, resolved: null, duration_seconds: null, service: null });
      expect(md).toContain('_No alerts were attached to this incident._');
      expect(md).toContain('_Nobody held a role._');
    });
  });

  describe('HTML', () => {
    it('is one self-contained, escaped document with the SVG chart', () => {
      const html = renderHtml(full);
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(html).toContain('@media print');
      expect(html).not.toMatch(/<script|<link|src=/i);
      expect(html).toContain('Rolling back deploy 4711 &#60;now&#62;');
      expect(html).not.toContain('<now>');
      expect(html).not.toContain('javascript:');
      for (const name of SECTION_NAMES) expect(html).toContain(`<h2>${SECTION_INFO[name].title}</h2>`);
      expect(html).toContain('<span class="pin">Pinned note</span>');
      expect(html).toContain(formatDuration(full.metrics.timeToAcknowledgeSeconds));
    });

    it('renders an empty incident', () => {
      const html = renderHtml(empty);
      expect(html).toContain('<svg');
      expect(html).toContain('No alerts attached');
      expect(html).toContain('class="placeholder"');
    });
  });

  describe('PDF', () => {
    it.each([
      ['with DejaVu Sans when installed', {}],
      ['with the standard fonts', { standardFonts: true }],
    ])('renders the full and the empty incident %s', async (_, options) => {
      for (const draft of [full, empty]) {
        const pdf = await renderPdf(draft, options);
        expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
        expect(pdf.length).toBeGreaterThan(2000);
      }
    });
  });

  describe('the chart model', () => {
    it('steps the firing count with the alerts, marks status changes and notes', () => {
      const model = chartModel(full);
      expect(model.from).toBe(at(-2).getTime());
      expect(model.firing).toEqual([
        { t: at(-2).getTime(), count: 1 },
        { t: at(0.5).getTime(), count: 2 },
        { t: at(16).getTime(), count: 1 },
        { t: at(17).getTime(), count: 0 },
      ]);
      expect(model.maxFiring).toBe(2);
      expect(model.statuses.map((s) => s.event)).toEqual(['declared', 'acknowledged', 'mitigated', 'resolved']);
      expect(model.notes).toEqual([
        { t: at(6).getTime(), pinned: false },
        { t: at(9).getTime(), pinned: true },
      ]);
      expect(model.to).toBeGreaterThan(at(17).getTime());
    });

    it('puts ticks on round times', () => {
      expect(timeTicks(at(-2).getTime(), at(19).getTime()).map((t) => t.label)).toEqual([
        '10:00',
        '10:05',
        '10:10',
        '10:15',
      ]);
    });
  });
});
