import * as path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { collectErrors, launchChromium, waitUntilLive } from './browser';

/** No sideways scrolling: runs in the page. */
const fitsWidth = () => {
  const w = globalThis as any;
  return w.document.documentElement.scrollWidth <= w.innerWidth;
};

describe('web UI in a browser', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('web_ui');
    instance = await startApp(databaseUrl);
    url = instance.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterEach(async () => {
    await context?.close();
  });

  async function declare(body: Record<string, unknown>): Promise<{ id: string; number: number }> {
    const res = await call(url, 'POST', '/api/v1/incidents', { body });
    expect(res.status).toBe(201);
    return res.body;
  }

  /** One Alertmanager webhook delivery for the group `alertname`; resolves to the incident it lands on. */
  async function alertmanager(
    alertname: string,
    alerts: Array<{ fingerprint: string; status?: string; severity: string; annotations: Record<string, string> }>,
  ) {
    const integration = await call(url, 'POST', '/api/v1/integrations', {
      body: { type: 'alertmanager', name: `prom-${alertname}` },
    });
    expect(integration.status).toBe(201);
    const delivery = await call(url, 'POST', '/api/v1/alerts/alertmanager', {
      token: integration.body.key,
      body: {
        version: '4',
        groupKey: `{}:{alertname="${alertname}"}`,
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'sitrep',
        groupLabels: { alertname },
        commonLabels: { alertname },
        commonAnnotations: {},
        externalURL: 'http://alertmanager.example',
        alerts: alerts.map((a) => ({
          status: a.status ?? 'firing',
          labels: { alertname, severity: a.severity, instance: a.fingerprint },
          annotations: a.annotations,
          startsAt: new Date(Date.now() - 5 * 60000).toISOString(),
          endsAt: a.status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
          generatorURL: `http://prometheus.example/graph?g0.expr=${alertname}`,
          fingerprint: a.fingerprint,
        })),
      },
    });
    expect(delivery.status).toBe(202);
    return eventually(
      async () =>
        (await call(url, 'GET', '/api/v1/incidents?limit=200')).body.items.find(
          (i: { title: string; alerts: { total: number } }) =>
            i.alerts.total >= alerts.length && i.title.includes(alertname),
        ) as { id: string; title: string } | undefined,
      { message: `the incident of the ${alertname} alerts` },
    );
  }

  async function openSignedIn(path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${url}${path}#token=${ADMIN_TOKEN}`);
    await waitUntilLive(page);
    return page;
  }

  it('lists an incident declared after the page loaded, without a reload, worst severity first', async () => {
    const minor = await declare({ title: 'Minor: thumbnails slow', severity: 'SEV4' });
    const page = await openSignedIn('/');
    const errors = collectErrors(page);
    // The token left the address bar and lives in the tab's session storage.
    expect(page.url()).toBe(`${url}/`);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('sitrep.token'))).toBe(ADMIN_TOKEN);
    await page.locator(`#open-rows tr[data-id="${minor.id}"]`).waitFor();
    await page.evaluate(() => ((globalThis as any).marker = 'same document'));

    const title = 'Checkout <img src=x onerror=alert(1)> 5xx & "spike"';
    const major = await declare({ title, severity: 'SEV1', service: 'checkout-api', commander: 'alice' });
    const row = page.locator(`#open-rows tr[data-id="${major.id}"]`);
    await row.waitFor({ timeout: 5000 });

    // Shown as text, never as markup.
    expect(await row.locator('[data-col="title"] a').innerText()).toBe(title);
    expect(await row.locator('img').count()).toBe(0);
    expect(await row.locator('[data-col="commander"]').innerText()).toBe('alice');
    expect(await row.locator('[data-col="severity"]').innerText()).toBe('SEV1');
    expect(await row.locator('[data-col="title"] a').getAttribute('href')).toBe(`${url}/incidents/${major.id}`);
    // SEV1 sorts above the older SEV4.
    const order = await page
      .locator('#open-rows tr')
      .evaluateAll((rows) => rows.map((r: any) => r.dataset.id as string));
    expect(order.indexOf(major.id)).toBeLessThan(order.indexOf(minor.id));
    expect(await page.evaluate(() => (globalThis as any).marker)).toBe('same document');

    // Resolving folds it into the collapsed "Resolved" section.
    expect((await call(url, 'POST', `/api/v1/incidents/${minor.id}/resolve`, { body: {} })).status).toBe(200);
    await page.locator(`#resolved-rows tr[data-id="${minor.id}"]`).waitFor({ state: 'attached', timeout: 5000 });
    expect(await page.locator(`#open-rows tr[data-id="${minor.id}"]`).count()).toBe(0);
    expect(await page.locator('#resolved').getAttribute('open')).toBeNull();
    expect(errors).toEqual([]);
  });

  it('shows a note added over REST on the incident page within 2 s, once', async () => {
    const incident = await declare({ title: 'Replica lag', severity: 'SEV2' });
    const page = await openSignedIn(`/incidents/${incident.id}`);
    const errors = collectErrors(page);
    expect(await page.locator('#incident-title').innerText()).toBe('Replica lag');
    await page.locator('#timeline li[data-type="incident.declared"]').waitFor();

    const note = await call(url, 'POST', `/api/v1/incidents/${incident.id}/notes`, {
      body: { text: 'Failing over to db-2 <script>alert(1)</script>', pinned: true },
    });
    expect(note.status).toBe(201);
    const entry = page.locator('#timeline li[data-type="note.added"]');
    await entry.waitFor({ timeout: 2000 });
    expect(await entry.locator('.entry-detail').innerText()).toBe('Failing over to db-2 <script>alert(1)</script>');
    expect(await entry.getAttribute('class')).toContain('pinned');
    // Links from alert data are http(s) only.
    const hrefs = await page.evaluate(() => {
      const S = (globalThis as any).Sitrep;
      return [
        'javascript:alert(1)',
        'data:text/html,x',
        ' https://runbooks.example/db#lag',
        'http://grafana.example/d?x=1',
      ].map((u) => S.safeHref(u));
    });
    expect(hrefs).toEqual([null, null, 'https://runbooks.example/db#lag', 'http://grafana.example/d?x=1']);

    // A note from the page's own form shows up once, whether the POST answer or the socket comes first.
    await page.getByLabel('Add a note').fill('Second note from the page');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.locator('#timeline li', { hasText: 'Second note from the page' }).waitFor({ timeout: 2000 });
    const seqs = await page
      .locator('#timeline li')
      .evaluateAll((items) => items.map((li: any) => Number(li.dataset.seq)));
    expect(seqs).toEqual([...new Set(seqs)].sort((a, b) => b - a));
    expect(seqs[seqs.length - 1]).toBe(1);
    expect(await page.locator('#timeline li', { hasText: 'Second note from the page' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('after a dropped connection resubscribes from the last seq seen: every entry once, in order, honest state', async () => {
    const incident = await declare({ title: 'Flapping link to eu-west', severity: 'SEV3' });
    const page = await context.newPage();
    // Keep hold of the page's websockets and record every connection state it shows.
    await page.addInitScript(() => {
      const w = globalThis as any;
      const Native = w.WebSocket;
      w.sockets = [];
      w.states = [];
      w.WebSocket = class extends Native {
        constructor(...args: unknown[]) {
          super(...args);
          w.sockets.push(this);
        }
      };
      w.addEventListener('DOMContentLoaded', () => {
        const el = w.document.getElementById('connection');
        new w.MutationObserver(() => w.states.push(el.dataset.state)).observe(el, {
          attributes: true,
          attributeFilter: ['data-state'],
        });
      });
    });
    await page.goto(`${url}/incidents/${incident.id}#token=${ADMIN_TOKEN}`);
    await waitUntilLive(page);
    const errors = collectErrors(page);
    await call(url, 'POST', `/api/v1/incidents/${incident.id}/notes`, { body: { text: 'before the drop' } });
    await page.locator('#timeline li', { hasText: 'before the drop' }).waitFor({ timeout: 2000 });

    await page.evaluate(() => {
      const w = globalThis as any;
      w.states.length = 0;
      for (const socket of w.sockets) socket.close();
    });
    for (const text of ['during the drop 1', 'during the drop 2']) {
      expect((await call(url, 'POST', `/api/v1/incidents/${incident.id}/notes`, { body: { text } })).status).toBe(201);
    }
    await page.locator('#timeline li', { hasText: 'during the drop 2' }).waitFor({ timeout: 5000 });
    await waitUntilLive(page);
    await call(url, 'POST', `/api/v1/incidents/${incident.id}/notes`, { body: { text: 'after the drop' } });
    await page.locator('#timeline li', { hasText: 'after the drop' }).waitFor({ timeout: 2000 });

    const seqs = await page
      .locator('#timeline li')
      .evaluateAll((items) => items.map((li: any) => Number(li.dataset.seq)));
    const expected = (await call(url, 'GET', `/api/v1/incidents/${incident.id}/timeline?limit=1000`)).body.items.map(
      (e: { seq: number }) => e.seq,
    );
    expect(seqs).toEqual([...expected].reverse());
    const states: string[] = await page.evaluate(() => (globalThis as any).states);
    expect(states[0]).toBe('reconnecting');
    expect(states.indexOf('catching-up')).toBeGreaterThan(0);
    expect(states[states.length - 1]).toBe('live');
    expect(errors).toEqual([]);
  });

  it('acknowledging on the incident page updates the board in another tab; conflicts show inline', async () => {
    const incident = await declare({ title: 'Payments timing out', severity: 'SEV1' });
    const board = await openSignedIn('/');
    const row = board.locator(`#open-rows tr[data-id="${incident.id}"]`);
    await row.locator('[data-col="status"]', { hasText: 'Triggered' }).waitFor();

    const page = await openSignedIn(`/incidents/${incident.id}`);
    const errors = collectErrors(page);
    expect(await page.getByRole('button', { name: 'Reopen' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Acknowledge' }).click();

    await row.locator('[data-col="status"]', { hasText: 'Acknowledged' }).waitFor({ timeout: 3000 });
    await page.locator('#inc-status', { hasText: 'Acknowledged' }).waitFor({ timeout: 3000 });
    expect(await page.getByRole('button', { name: 'Acknowledge' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Mitigate' }).isEnabled()).toBe(true);
    await page.locator('#timeline li[data-type="incident.acknowledged"]').waitFor({ timeout: 3000 });

    // The acknowledger became commander; making them deputy too is a 409 shown with its message.
    const commander = (await call(url, 'GET', `/api/v1/incidents/${incident.id}`)).body.roles.commander as string;
    expect(commander).toBeTruthy();
    await row.locator('[data-col="commander"]', { hasText: commander }).waitFor({ timeout: 3000 });
    await page.getByLabel('Role', { exact: true }).selectOption('deputy');
    await page.getByLabel('Responder handle').fill(commander);
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    const conflict = page.locator('#role-error');
    await conflict.waitFor({ timeout: 3000 });
    expect(await conflict.innerText()).toMatch(/deputy|commander/i);

    await page.getByLabel('Responder handle').fill('bob');
    await page.getByRole('button', { name: 'Assign', exact: true }).click();
    await row.locator('[data-col="deputy"]', { hasText: 'bob' }).waitFor({ timeout: 3000 });
    await conflict.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Unassign bob as deputy' }).click();
    await row.locator('[data-col="deputy"]', { hasText: '—' }).waitFor({ timeout: 3000 });

    await page.getByLabel('New action item').fill('Alert on gateway latency before timeouts');
    await page.getByRole('button', { name: 'Add action item' }).click();
    const item = page.getByLabel('Alert on gateway latency before timeouts');
    await item.waitFor({ timeout: 3000 });
    await item.check();
    await page.locator('#timeline li[data-type="action_item.updated"]').waitFor({ timeout: 3000 });
    expect(await item.isChecked()).toBe(true);
    expect(errors).toEqual([]);
  });

  it('shows alerts from Alertmanager with their summary as text and runbook links', async () => {
    const summary = 'Checkout <b>errors</b> at 7%';
    const incident = await alertmanager('CheckoutErrors', [
      {
        fingerprint: 'c0ffee0000000001',
        severity: 'critical',
        annotations: {
          summary,
          description: 'Ratio of 5xx on /api/checkout',
          runbook_url: 'https://runbooks.example/checkout',
        },
      },
    ]);

    const page = await openSignedIn(`/incidents/${incident.id}`);
    const errors = collectErrors(page);
    const alert = page.locator('#alerts li', { hasText: summary });
    await alert.waitFor({ timeout: 5000 });
    expect(await alert.locator('img, b').count()).toBe(0);
    expect(await alert.locator('.alert-state').innerText()).toBe('Firing');
    expect(await alert.getByRole('link', { name: 'Runbook' }).getAttribute('href')).toBe(
      'https://runbooks.example/checkout',
    );
    expect(await alert.getByRole('link', { name: 'Source graph' }).getAttribute('href')).toBe(
      'http://prometheus.example/graph?g0.expr=CheckoutErrors',
    );
    expect(await alert.getByRole('link', { name: 'Runbook' }).getAttribute('rel')).toBe('noopener noreferrer');
    expect(errors).toEqual([]);
  });

  it('signs in through the form; a wrong token is refused with a message; a rejected token returns to the form', async () => {
    const page = await context.newPage();
    await page.goto(`${url}/`);
    const tokenField = page.getByLabel('API token');
    await tokenField.waitFor();
    expect(await page.locator('#app').isHidden()).toBe(true);

    await tokenField.fill('not-a-valid-token-0000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const error = page.locator('#signin-error');
    await error.waitFor({ timeout: 5000 });
    expect(await error.innerText()).toMatch(/not accepted/);
    expect(await page.locator('#app').isHidden()).toBe(true);

    await tokenField.fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: /Open incidents/ }).waitFor({ timeout: 5000 });
    await waitUntilLive(page);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('sitrep.token'))).toBe(ADMIN_TOKEN);

    // A token the API stops accepting sends the tab back to the form.
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('sitrep.token', 'revoked-token-000000000000'));
    await page.reload();
    await page.locator('#signin-reason', { hasText: 'not accepted' }).waitFor({ timeout: 5000 });
    expect(await page.locator('#app').isHidden()).toBe(true);
  });
  it('lays out the board and the incident page without sideways scrolling on a laptop and a phone', async () => {
    const main = await alertmanager('PaymentsGatewayErrors', [
      {
        fingerprint: 'feed000000000001',
        severity: 'critical',
        annotations: {
          summary: 'Payments gateway 5xx above 5% in prod-eu-1',
          description: 'Card payments fail for about one in fifteen customers.',
          runbook_url: 'https://runbooks.example/payments-gateway',
        },
      },
      {
        fingerprint: 'feed000000000002',
        severity: 'warning',
        annotations: { summary: 'Payments queue depth above 10k' },
      },
    ]);
    await declare({ title: 'Search latency p99 over 2 s', severity: 'SEV2', service: 'search' });
    await declare({ title: 'Nightly export job retries', severity: 'SEV3', service: 'exports' });
    await declare({ title: 'Thumbnail cache hit rate low', severity: 'SEV4', service: 'media' });
    const base = `/api/v1/incidents/${main.id}`;
    await call(url, 'PATCH', base, {
      body: { summary: 'Card payments fail for about one in fifteen customers since the 14:02 deploy.' },
    });
    await call(url, 'PUT', `${base}/roles/commander`, { body: { assignee: 'alice' } });
    await call(url, 'POST', `${base}/acknowledge`, { body: { note: 'Looking at the 14:02 deploy' } });
    await call(url, 'PUT', `${base}/roles/deputy`, { body: { assignee: 'bob' } });
    await call(url, 'PUT', `${base}/roles/scribe`, { body: { assignee: 'carol' } });
    await call(url, 'POST', `${base}/notes`, { body: { text: 'Rolling back deploy 4711 now.', pinned: true } });
    await call(url, 'POST', `${base}/notes`, { body: { text: 'Error ratio falling: 3% and dropping.' } });
    await call(url, 'POST', `${base}/action-items`, {
      body: { title: 'Add a canary stage for checkout deploys', owner: 'bob', dueDate: '2026-12-15' },
    });
    const shots = process.env.WEB_SCREENSHOTS;

    for (const [label, viewport] of [
      ['laptop', { width: 1366, height: 900 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      const device = await browser.newContext({
        viewport,
        deviceScaleFactor: label === 'phone' ? 2 : 1,
        isMobile: label === 'phone',
        hasTouch: label === 'phone',
      });
      try {
        const board = await device.newPage();
        await board.goto(`${url}/#token=${ADMIN_TOKEN}`);
        await waitUntilLive(board);
        await board.locator(`#open-rows tr[data-id="${main.id}"]`).waitFor();
        expect(await board.evaluate(fitsWidth)).toBe(true);
        if (shots) await board.screenshot({ path: path.join(shots, `sitrep-board-${label}.png`), fullPage: true });

        const page = await device.newPage();
        await page.goto(`${url}/incidents/${main.id}#token=${ADMIN_TOKEN}`);
        await waitUntilLive(page);
        await page.locator('#timeline li.pinned').waitFor();
        await page.locator('#alerts li').first().waitFor();
        expect(await page.evaluate(fitsWidth)).toBe(true);
        if (shots) await page.screenshot({ path: path.join(shots, `sitrep-incident-${label}.png`), fullPage: true });
      } finally {
        await device.close();
      }
    }
  });
});
