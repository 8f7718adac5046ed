import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext } from 'playwright-core';
import { ADMIN_TOKEN, call, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { createIntegration, entry, incidentTitled, ok, sendAlerts, startAutomationApp } from '../automations/support';
import { collectErrors, launchChromium, waitUntilLive } from './browser';

const SHOTS = process.env.SCREENSHOT_DIR;
/** What the endpoint answers: markup that must reach the page as text, never as elements. */
const ANSWER = 'reindex started <img src=x onerror="window.__pwned=1"><b>bold?</b>';

describe('incident page: the automation runs panel and the Run button', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let endpoint: http.Server;
  let hits = 0;

  beforeAll(async () => {
    endpoint = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.writeHead(200, { 'content-type': 'text/plain' }).end(ANSWER);
      });
    });
    await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    databaseUrl = await createTestDatabase('web_incident_automation');
    instance = await startAutomationApp(databaseUrl);
    url = instance.url;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await instance?.close();
    endpoint?.closeAllConnections();
    await new Promise<void>((resolve) => endpoint?.close(() => resolve()) ?? resolve());
    await dropTestDatabase(databaseUrl);
  });

  it('offers Run on a suggestion, shows the run live with its output as text, and a 409 as it comes', async () => {
    const hook = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/hook`;
    const automation = await ok(url, 'POST', '/api/v1/automations', {
      name: 'Refill search indexes',
      match: { alertnames: ['EsSuggest'], services: ['search'] },
      action: { type: 'webhook', url: hook },
      mode: 'suggest',
      guards: { maxRunsPerHour: 1 },
    });
    const key = await createIntegration(url, 'search');
    await sendAlerts(url, key, 'ES suggest', [{ name: 'EsSuggest', instance: 'es-1' }]);
    const incident = await incidentTitled(url, 'ES suggest');
    await entry(url, incident.id, (e) => e.type === 'automation.suggested');

    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${url}/incidents/${incident.id}#token=${ADMIN_TOKEN}`);
    await waitUntilLive(page);
    const panel = page.locator('.automation-panel');
    await panel.getByText('No automation has run on this incident.').waitFor();

    const run = panel.getByRole('button', { name: 'Run Refill search indexes' });
    await run.click();
    // Queued by the click; succeeded arrives through the live timeline's automation.* entries.
    const item = panel.locator('#automation-runs li[data-status="succeeded"]');
    await item.waitFor({ timeout: 10_000 });
    expect(hits).toBe(1);
    await expect(item.locator('.run-head').textContent()).resolves.toContain('Refill search indexes');
    await expect(item.locator('.run-code').textContent()).resolves.toBe('HTTP 200');
    await expect(item.locator('.actor').textContent()).resolves.toBe('admin');
    expect(await item.locator('.run-meta').textContent()).toMatch(/queued .* started .* ended /);

    await item.locator('summary').click();
    const output = item.locator('pre');
    await expect(output.textContent()).resolves.toBe(ANSWER);
    expect(await output.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();

    // The hourly cap: the API's 409 message is shown as it comes, and nothing runs.
    const refused = await call(url, 'POST', `/api/v1/incidents/${incident.id}/automation-runs`, {
      body: { automationId: automation.id },
    });
    expect(refused.status).toBe(409);
    await run.click();
    const error = panel.locator('#automation-error');
    await error.waitFor({ state: 'visible' });
    expect(await error.textContent()).toBe(refused.body.message);
    expect(hits).toBe(1);
    expect(await panel.locator('#automation-runs li').count()).toBe(1);

    // The top bar reaches the other pages.
    await expect(page.locator('.topbar nav a').allTextContents()).resolves.toEqual([
      'Incidents',
      'On call',
      'Action items',
    ]);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/incident-automation.png`, fullPage: true });

    // On a phone the panel and the top bar fit without sideways scrolling.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(
      await page.evaluate(() => {
        const w = globalThis as any;
        return w.document.documentElement.scrollWidth <= w.innerWidth;
      }),
    ).toBe(true);
    if (SHOTS) await panel.screenshot({ path: `${SHOTS}/incident-automation-phone.png` });
    expect(errors).toEqual([]);
    await page.close();
  });
});
