import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { parse as parseYaml } from 'yaml';
import { SECTION_INFO, SECTION_NAMES } from '../../src/postmortems/postmortem-draft';
import { formatDuration } from '../../src/postmortems/renderers/text';
import { call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { declare, tokenFor } from '../incidents/support';

/** The text of a PDF, through poppler's pdftotext, whitespace collapsed. */
function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-enc', 'UTF-8', '-', '-'], { input: pdf }).toString('utf8').replace(/\s+/g, ' ');
}

function frontMatter(markdown: string): Record<string, any> {
  const match = /^---\n([\s\S]*?)\n---\n/.exec(markdown);
  if (!match) throw new Error(`no front matter in:\n${markdown.slice(0, 300)}`);
  return parseYaml(match[1]);
}

/** GET with the raw body kept (a PDF is not text). */
async function fetchRaw(url: string, token: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, ...headers } });
  return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
}

const seconds = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / 1000);

/** Writes what a person would look at, when asked (POSTMORTEM_PREVIEW_DIR=/tmp/x). */
function preview(name: string, body: string | Buffer): void {
  const dir = process.env.POSTMORTEM_PREVIEW_DIR;
  if (dir) fs.writeFileSync(path.join(dir, name), body);
}

describe('postmortems over HTTP', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let db: Client;
  let alice: string;
  let bob: string;
  let viewer: string;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('postmortems');
    instance = await startApp(databaseUrl);
    url = instance.url;
    db = new Client({ connectionString: databaseUrl });
    await db.connect();
    alice = await tokenFor(url, 'alice', 'responder');
    bob = await tokenFor(url, 'bob', 'responder');
    viewer = await tokenFor(url, 'status-page', 'viewer');
  });
  afterAll(async () => {
    await db?.end();
    await instance?.close();
    if (databaseUrl) await dropTestDatabase(databaseUrl);
  });

  const pm = (id: string, query = '') => `/api/v1/incidents/${id}/postmortem${query}`;

  async function timeline(id: string) {
    const res = await call(url, 'GET', `/api/v1/incidents/${id}/timeline?limit=1000`, { token: viewer });
    expect(res.status).toBe(200);
    return res.body.items as Array<{ seq: number; type: string; occurredAt: string; actor: string; data: any }>;
  }

  describe('a full incident: deploy, alerts, response, notes, action items', () => {
    const groupKey = `{}:{alertname="CheckoutErrors", run="${randomBytes(4).toString('hex')}"}`;
    let amKey: string;
    let id: string;
    let firstAlertStart: string;

    function alertmanager(instances: string[], startsAt: string) {
      return call(url, 'POST', '/api/v1/alerts/alertmanager', {
        token: amKey,
        body: {
          version: '4',
          groupKey,
          truncatedAlerts: 0,
          status: 'firing',
          receiver: 'sitrep',
          groupLabels: { alertname: 'CheckoutErrors' },
          commonLabels: { alertname: 'CheckoutErrors', service: 'checkout' },
          commonAnnotations: {},
          externalURL: 'http://alertmanager.example.com',
          alerts: instances.map((instance) => ({
            status: 'firing',
            labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', instance },
            annotations: {
              summary: `5xx ratio above 5% on ${instance}`,
              description: 'Checkout API answers 5xx to more than 5% of requests',
              runbook_url: 'https://runbooks.example.com/checkout-5xx',
            },
            startsAt,
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://prometheus.example.com/graph?g0.expr=checkout_5xx',
          })),
        },
      });
    }

    beforeAll(async () => {
      const am = await call(url, 'POST', '/api/v1/integrations', {
        body: { type: 'alertmanager', name: 'prod alertmanager', service: 'checkout' },
      });
      expect(am.status).toBe(201);
      amKey = am.body.key;
      const events = await call(url, 'POST', '/api/v1/integrations', {
        body: { type: 'pagerduty-events', name: 'CI deploys', service: 'checkout' },
      });
      expect(events.status).toBe(201);

      // A deploy of checkout ten minutes before the alerts.
      const change = await call(url, 'POST', '/v2/change/enqueue', {
        token: null,
        body: {
          routing_key: events.body.key,
          payload: {
            summary: 'Deploy checkout v4711',
            timestamp: new Date(Date.now() - 10 * 60_000).toISOString(),
            source: 'ci.example.com',
            custom_details: { service: 'checkout', build: 4711, commit: 'abc123' },
          },
          links: [{ href: 'https://ci.example.com/builds/4711', text: 'Build 4711' }],
        },
      });
      expect(change.status).toBe(202);
      await eventually(
        async () => (await db.query(`SELECT 1 FROM changes WHERE summary = 'Deploy checkout v4711'`)).rowCount,
        {
          message: 'the change to be stored',
        },
      );

      // Two alerts firing for checkout since two minutes ago.
      firstAlertStart = new Date(Date.now() - 2 * 60_000).toISOString();
      expect((await alertmanager(['api-0', 'api-1'], firstAlertStart)).status).toBe(202);
      const incident = await eventually(
        async () => {
          const res = await call(url, 'GET', '/api/v1/incidents?service=checkout', { token: viewer });
          return res.body.items.find((i: any) => i.alerts.total === 2);
        },
        { message: 'the incident declared from the alerts' },
      );
      id = incident.id;

      const step = async (method: string, route: string, token: string, body?: unknown, status = 200) => {
        const res = await call(url, method, `/api/v1/incidents/${id}${route}`, { token, body });
        expect({ route, status: res.status }).toEqual({ route, status });
        return res.body;
      };
      await step('POST', '/acknowledge', bob, { note: 'on it' });
      await step('PUT', '/roles/deputy', bob, { assignee: 'alice' });
      await step('POST', '/notes', bob, { text: 'Error ratio 12%, suspect deploy 4711' }, 201);
      await step('POST', '/notes', alice, { text: 'Rolling back deploy 4711 now', pinned: true }, 201);
      await step('DELETE', '/roles/commander', bob);
      await step('POST', '/mitigate', alice, { note: 'rollback complete' });
      await step('POST', '/resolve', alice, { note: 'error ratio back to baseline' });
      const canary = await step(
        'POST',
        '/action-items',
        alice,
        { title: 'Canary checkout deploys', owner: 'alice', dueDate: '2026-12-01' },
        201,
      );
      await step('POST', '/action-items', bob, { title: 'Alert on error budget burn', owner: 'bob' }, 201);
      await step('PATCH', `/action-items/${canary.id}`, alice, { status: 'done' });
    });

    it('computes the metrics as the differences of the timeline timestamps', async () => {
      const res = await call(url, 'GET', pm(id), { token: viewer });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const draft = res.body;
      expect(res.headers.get('etag')).toBe(`"0.${draft.incidentVersion}"`);

      const entries = await timeline(id);
      const first = (type: string) => entries.find((e) => e.type === type)?.occurredAt as string;
      const alerts = (await call(url, 'GET', `/api/v1/incidents/${id}/alerts`, { token: viewer })).body.items;
      const start = [first('incident.declared'), ...alerts.map((a: any) => a.startsAt)].sort()[0];
      expect(start).toBe(firstAlertStart);

      expect(draft.schemaVersion).toBe(1);
      expect(draft.times).toEqual({
        start,
        startSource: 'first_alert',
        detectedAt: first('incident.declared'),
        acknowledgedAt: first('incident.acknowledged'),
        mitigatedAt: first('incident.mitigated'),
        resolvedAt: first('incident.resolved'),
      });
      expect(draft.metrics).toMatchObject({
        timeToDetectSeconds: seconds(start, first('incident.declared')),
        timeToAcknowledgeSeconds: seconds(start, first('incident.acknowledged')),
        timeToMitigateSeconds: seconds(start, first('incident.mitigated')),
        timeToResolveSeconds: seconds(start, first('incident.resolved')),
        durationSeconds: seconds(start, first('incident.resolved')),
        alertCount: 2,
        noteCount: 2,
        pinnedNoteCount: 1,
      });
      expect(draft.metrics.timeToAcknowledgeSeconds).toBeGreaterThanOrEqual(120);

      // A group of alerts is named after its alertname.
      expect(draft.incident).toMatchObject({
        title: 'CheckoutErrors',
        severity: 'SEV1',
        status: 'resolved',
        service: 'checkout',
        source: 'alert',
      });
      expect(draft.roles.current).toEqual({ commander: 'alice', deputy: null, scribe: null, communications: null });
      expect(draft.roles.assignments.map((r: any) => [r.role, r.holder, r.via, r.endedBy])).toEqual([
        ['commander', 'bob', 'assigned', 'handoff'],
        ['commander', 'alice', 'handoff', null],
        ['deputy', 'alice', 'assigned', 'handoff'],
      ]);
      expect(draft.roles.handoffs).toEqual([
        { at: first('incident.commander_handoff'), from: 'bob', to: 'alice', actor: 'bob' },
      ]);
      expect(draft.alerts).toHaveLength(2);
      expect(draft.alerts.find((a: any) => a.labels.instance === 'api-0')).toMatchObject({
        name: 'CheckoutErrors',
        summary: '5xx ratio above 5% on api-0',
        runbookUrl: 'https://runbooks.example.com/checkout-5xx',
        labels: { alertname: 'CheckoutErrors', service: 'checkout', severity: 'critical', instance: 'api-0' },
        startsAt: firstAlertStart,
      });
      expect(draft.changes).toEqual([
        expect.objectContaining({
          summary: 'Deploy checkout v4711',
          service: 'checkout',
          source: 'ci.example.com',
          correlated: true,
          links: [{ href: 'https://ci.example.com/builds/4711', text: 'Build 4711' }],
        }),
      ]);
      expect(draft.changes[0].secondsBeforeStart).toBeGreaterThanOrEqual(7 * 60);
      expect(draft.timeline.map((e: any) => e.seq)).toEqual(entries.map((e) => e.seq));
      expect(draft.timeline.filter((e: any) => e.pinned).map((e: any) => e.text)).toEqual([
        'Rolling back deploy 4711 now',
      ]);
      expect(draft.actionItems).toMatchObject({ open: 1, done: 1 });
      expect(draft.actionItems.items.map((i: any) => [i.title, i.owner, i.status])).toEqual([
        ['Canary checkout deploys', 'alice', 'done'],
        ['Alert on error budget burn', 'bob', 'open'],
      ]);
      expect(Object.keys(draft.sections)).toEqual([...SECTION_NAMES]);
    });

    it('renders every section in every format: Markdown with YAML front matter, HTML with the chart, PDF with the figures', async () => {
      const draft = (await call(url, 'GET', pm(id), { token: viewer })).body;

      const md = await call(url, 'GET', pm(id, '?format=markdown'), { token: viewer });
      expect(md.status).toBe(200);
      expect(md.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
      const yaml = frontMatter(md.text);
      expect(yaml).toMatchObject({
        incident: draft.incident.number,
        severity: 'SEV1',
        status: 'resolved',
        service: 'checkout',
        started: draft.times.start,
        acknowledged: draft.times.acknowledgedAt,
        resolved: draft.times.resolvedAt,
        time_to_acknowledge_seconds: draft.metrics.timeToAcknowledgeSeconds,
        roles: { commander: ['bob', 'alice'], deputy: ['alice'], scribe: [], communications: [] },
      });
      for (const name of SECTION_NAMES) expect(md.text).toContain(`## ${SECTION_INFO[name].title}\n`);
      preview('postmortem.md', md.text);

      // The Accept header chooses too; ?format wins over it.
      const html = await call(url, 'GET', pm(id), { token: viewer, headers: { accept: 'text/html' } });
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(html.text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
      expect(html.text).toMatch(/<path d="M[^"]+" fill="none" stroke="#c92a2a"/);
      for (const name of SECTION_NAMES) expect(html.text).toContain(`<h2>${SECTION_INFO[name].title}</h2>`);
      expect(html.text).toContain('Rolling back deploy 4711 now');
      preview('postmortem.html', html.text);
      expect(
        (await call(url, 'GET', pm(id, '?format=json'), { token: viewer, headers: { accept: 'text/html' } })).body
          .schemaVersion,
      ).toBe(1);

      const pdf = await fetchRaw(`${url}${pm(id, '?format=pdf')}`, viewer);
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toBe('application/pdf');
      expect(pdf.body.subarray(0, 4).toString('latin1')).toBe('%PDF');
      preview('postmortem.pdf', pdf.body);
      const text = pdfText(pdf.body);
      expect(text).toContain(draft.incident.title);
      for (const figure of ['timeToAcknowledgeSeconds', 'timeToMitigateSeconds', 'timeToResolveSeconds'] as const) {
        expect(text).toContain(formatDuration(draft.metrics[figure]));
      }
      expect(text).toContain('Time to acknowledge');
      expect(text).toContain('Rolling back deploy 4711 now');
      expect(text).toContain('PINNED');
      for (const name of SECTION_NAMES) expect(text).toContain(SECTION_INFO[name].title);
      expect(text).toContain('Deploy checkout v4711');

      const byAccept = await fetchRaw(`${url}${pm(id)}`, viewer, { accept: 'application/pdf' });
      expect(byAccept.headers.get('content-type')).toBe('application/pdf');
    });

    it('saves sections (If-Match on the postmortem version), records postmortem.updated, and keeps them when an alert arrives later', async () => {
      const before = await call(url, 'GET', pm(id), { token: viewer });
      const etag = before.headers.get('etag') as string;

      expect((await call(url, 'PUT', pm(id), { token: viewer, body: { sections: { rootCause: 'x' } } })).status).toBe(
        403,
      );

      const saved = await call(url, 'PUT', pm(id), {
        token: alice,
        headers: { 'if-match': etag },
        body: {
          sections: {
            rootCause: 'Deploy 4711 shipped a connection pool of 2.',
            impact: 'Checkout failed for 4% of users for 9 minutes.',
          },
        },
      });
      expect(saved.status).toBe(200);
      expect(saved.body.version).toBe(1);
      expect(saved.headers.get('etag')).toBe(`"1.${saved.body.incidentVersion}"`);
      expect(saved.body.sections.rootCause).toMatchObject({
        content: 'Deploy 4711 shipped a connection pool of 2.',
        updatedBy: 'alice',
      });
      expect(saved.body.sections.lessonsLearned).toMatchObject({
        content: null,
        placeholder: SECTION_INFO.lessonsLearned.placeholder,
      });

      const entries = await timeline(id);
      const updated = entries.filter((e) => e.type === 'postmortem.updated');
      expect(updated).toEqual([
        expect.objectContaining({ actor: 'alice', data: { sections: ['impact', 'rootCause'] } }),
      ]);
      expect(saved.body.incidentVersion).toBe(entries[entries.length - 1].seq);

      // The ETag seen before the save is stale now: 412, nothing written.
      const stale = await call(url, 'PUT', pm(id), {
        token: bob,
        headers: { 'if-match': etag },
        body: { sections: { rootCause: 'mine' } },
      });
      expect(stale.status).toBe(412);
      expect(stale.body).toMatchObject({ statusCode: 412, code: 'POSTMORTEM_VERSION_MISMATCH' });
      // The same text again changes nothing and records nothing.
      const same = await call(url, 'PUT', pm(id), {
        token: bob,
        headers: { 'if-match': '"1"' },
        body: { sections: { rootCause: 'Deploy 4711 shipped a connection pool of 2.' } },
      });
      expect(same.status).toBe(200);
      expect(same.body.version).toBe(1);
      expect((await timeline(id)).filter((e) => e.type === 'postmortem.updated')).toHaveLength(1);

      // A new alert lands on the incident afterwards (it reopens it): the sections stay.
      expect((await alertmanager(['api-0', 'api-1', 'api-2'], firstAlertStart)).status).toBe(202);
      await eventually(
        async () => (await call(url, 'GET', `/api/v1/incidents/${id}`, { token: viewer })).body.alerts.total === 3,
        {
          message: 'the third alert to be attached',
        },
      );
      const after = await call(url, 'GET', pm(id), { token: viewer });
      expect(after.body.alerts).toHaveLength(3);
      expect(after.body.version).toBe(1);
      expect(after.body.incidentVersion).toBeGreaterThan(saved.body.incidentVersion);
      expect(after.body.sections.rootCause.content).toBe('Deploy 4711 shipped a connection pool of 2.');
      expect(after.body.sections.impact.content).toBe('Checkout failed for 4% of users for 9 minutes.');
      expect(after.headers.get('etag')).toBe(`"1.${after.body.incidentVersion}"`);
      // The incident changed, the postmortem did not: the GET's old ETag still saves.
      const cleared = await call(url, 'PUT', pm(id), {
        token: bob,
        headers: { 'if-match': saved.headers.get('etag') as string },
        body: { sections: { impact: null } },
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.version).toBe(2);
      expect(cleared.body.sections.impact.content).toBeNull();
      expect(cleared.body.sections.rootCause.content).toBe('Deploy 4711 shipped a connection pool of 2.');
      preview('postmortem-reopened.html', (await call(url, 'GET', pm(id, '?format=html'), { token: viewer })).text);
      preview('postmortem-reopened.pdf', (await fetchRaw(`${url}${pm(id, '?format=pdf')}`, viewer)).body);
    });

    it('validates edits: unknown sections, over-long text, no sections', async () => {
      const unknown = await call(url, 'PUT', pm(id), {
        token: alice,
        body: { sections: { rootCause: 'ok', bogus: 'no' } },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.body.details).toEqual([expect.objectContaining({ path: 'sections.bogus' })]);
      const long = await call(url, 'PUT', pm(id), {
        token: alice,
        body: { sections: { lessonsLearned: 'x'.repeat(20_001) } },
      });
      expect(long.status).toBe(400);
      expect(long.body.details).toEqual([expect.objectContaining({ path: 'sections.lessonsLearned' })]);
      expect(
        (await call(url, 'PUT', pm(id), { token: alice, body: { sections: { lessonsLearned: 'x'.repeat(20_000) } } }))
          .status,
      ).toBe(200);
      const wrongType = await call(url, 'PUT', pm(id), { token: alice, body: { sections: { summary: 42 } } });
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.details[0].path).toBe('sections.summary');
      const none = await call(url, 'PUT', pm(id), { token: alice, body: { sections: {} } });
      expect(none.status).toBe(400);
      expect(none.body.details).toEqual([expect.objectContaining({ path: 'sections' })]);
      expect((await call(url, 'PUT', pm(id), { token: alice, body: { rootCause: 'top level' } })).status).toBe(400);
    });

    it('lists postmortems with their key metrics, filtered by service and dates', async () => {
      const quiet = await declare(url, { title: 'Search is slow', severity: 'SEV3', service: 'search' }, alice);
      const all = await call(url, 'GET', '/api/v1/postmortems', { token: viewer });
      expect(all.status).toBe(200);
      expect(all.body.items.map((i: any) => i.incidentId)).toEqual(expect.arrayContaining([id, quiet.id]));
      // Newest first.
      expect(all.body.items[0].incidentId).toBe(quiet.id);

      const checkout = await call(url, 'GET', '/api/v1/postmortems?service=checkout', { token: viewer });
      expect(checkout.body.items.map((i: any) => i.incidentId)).toEqual([id]);
      const draft = (await call(url, 'GET', pm(id), { token: viewer })).body;
      expect(checkout.body.items[0]).toMatchObject({
        number: draft.incident.number,
        title: draft.incident.title,
        severity: 'SEV1',
        worstSeverity: 'SEV1',
        service: 'checkout',
        status: draft.incident.status,
        startedAt: draft.times.start,
        durationSeconds: draft.metrics.durationSeconds,
        timeToAcknowledgeSeconds: draft.metrics.timeToAcknowledgeSeconds,
        timeToMitigateSeconds: draft.metrics.timeToMitigateSeconds,
        timeToResolveSeconds: draft.metrics.timeToResolveSeconds,
        actionItems: { open: 1, done: 1 },
        postmortemVersion: draft.version,
      });

      const today = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      expect(
        (await call(url, 'GET', `/api/v1/postmortems?from=${today}&to=${today}`, { token: viewer })).body.items.length,
      ).toBeGreaterThanOrEqual(2);
      expect((await call(url, 'GET', `/api/v1/postmortems?from=${tomorrow}`, { token: viewer })).body.items).toEqual(
        [],
      );
      const since = encodeURIComponent(new Date(Date.parse(quiet.createdAt) - 1).toISOString());
      expect(
        (await call(url, 'GET', `/api/v1/postmortems?from=${since}`, { token: viewer })).body.items.map(
          (i: any) => i.incidentId,
        ),
      ).toEqual([quiet.id]);

      const page = await call(url, 'GET', '/api/v1/postmortems?limit=1', { token: viewer });
      expect(page.body.items).toHaveLength(1);
      const next = await call(url, 'GET', `/api/v1/postmortems?limit=1&cursor=${page.body.nextCursor}`, {
        token: viewer,
      });
      expect(next.body.items[0].incidentId).not.toBe(page.body.items[0].incidentId);

      const badFrom = await call(url, 'GET', '/api/v1/postmortems?from=last-week', { token: viewer });
      expect(badFrom.status).toBe(400);
      expect(badFrom.body.details).toEqual([expect.objectContaining({ path: 'from' })]);
      const badTo = await call(url, 'GET', '/api/v1/postmortems?to=2026-02-30', { token: viewer });
      expect(badTo.status).toBe(400);
      expect(badTo.body.details).toEqual([expect.objectContaining({ path: 'to' })]);
      const backwards = await call(url, 'GET', `/api/v1/postmortems?from=${tomorrow}&to=${today}`, { token: viewer });
      expect(backwards.status).toBe(400);
      expect(backwards.body.details).toEqual([expect.objectContaining({ path: 'to' })]);
    });
  });

  it('renders an incident with no alerts, no roles and no notes in every format', async () => {
    const incident = await declare(
      url,
      { title: 'Nothing <happened> & "nobody" came', severity: 'SEV4', service: undefined },
      alice,
    );
    const json = await call(url, 'GET', pm(incident.id), { token: viewer });
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({
      version: 0,
      alerts: [],
      changes: [],
      roles: { assignments: [], handoffs: [] },
      metrics: { durationSeconds: null, timeToAcknowledgeSeconds: null, alertCount: 0, noteCount: 0 },
    });
    expect(Object.values(json.body.sections).every((s: any) => s.content === null && s.placeholder)).toBe(true);

    const md = await call(url, 'GET', pm(incident.id, '?format=markdown'), { token: viewer });
    expect(md.status).toBe(200);
    expect(frontMatter(md.text)).toMatchObject({
      title: 'Nothing <happened> & "nobody" came',
      resolved: null,
      service: null,
    });

    const html = await call(url, 'GET', pm(incident.id, '?format=html'), { token: viewer });
    expect(html.status).toBe(200);
    expect(html.text).toContain('<svg');
    expect(html.text).toContain('Nothing &#60;happened&#62; &#38; &#34;nobody&#34; came');
    expect(html.text).not.toContain('<happened>');
    preview('postmortem-empty.html', html.text);

    const pdf = await fetchRaw(`${url}${pm(incident.id, '?format=pdf')}`, viewer);
    expect(pdf.status).toBe(200);
    expect(pdf.body.subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(pdfText(pdf.body)).toContain('Nothing <happened> & "nobody" came');
    preview('postmortem-empty.pdf', pdf.body);
  });

  it('answers 404 for unknown incidents, 400 for an unknown format, 406 for an Accept it cannot meet', async () => {
    for (const unknown of [randomUUID(), 'not-a-uuid']) {
      expect((await call(url, 'GET', pm(unknown), { token: viewer })).status).toBe(404);
      expect((await call(url, 'GET', pm(unknown, '?format=pdf'), { token: viewer })).status).toBe(404);
      const put = await call(url, 'PUT', pm(unknown), { token: alice, body: { sections: { rootCause: 'x' } } });
      expect(put.status).toBe(404);
      expect(put.body.code).toBe('INCIDENT_NOT_FOUND');
    }
    const incident = await declare(url, {}, alice);
    const bad = await call(url, 'GET', pm(incident.id, '?format=docx'), { token: viewer });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      statusCode: 400,
      code: 'INVALID_FORMAT',
      details: [expect.objectContaining({ path: 'format' })],
    });
    const unacceptable = await call(url, 'GET', pm(incident.id), { token: viewer, headers: { accept: 'image/png' } });
    expect(unacceptable.status).toBe(406);
    expect(unacceptable.body).toMatchObject({ statusCode: 406, error: 'Not Acceptable' });
    expect((await call(url, 'GET', pm(incident.id), { token: null })).status).toBe(401);
  });
});
