import type { Browser, BrowserContext } from 'playwright-core';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { addItem, declare, putPeople, utcDay } from '../followups/support';
import { collectErrors, launchChromium } from './browser';

const SHOTS = process.env.SCREENSHOT_DIR;

describe('the /action-items page in a browser', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  const tag = 'security-roundup-2026-12';
  const made: Record<string, any> = {};

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('web_action_items');
    instance = await startApp(databaseUrl);
    url = instance.url;
    browser = await launchChromium();
    await putPeople(url);
    const incident = await declare(url, { title: 'Leaked CI token' });
    made.carolLate = await addItem(url, { title: 'Rotate the CI deploy key', owner: 'carol', dueDate: utcDay(-3), tags: [tag] });
    made.carolSoon = await addItem(url, { title: 'Revoke stale IAM users', owner: 'carol', dueDate: utcDay(2), tags: [tag, 'iam'] });
    made.bob = await addItem(url, { title: 'Turn on MFA for the VPN', owner: 'bob', dueDate: utcDay(4), tags: [tag] });
    made.daveLate = await addItem(url, { title: 'Patch the bastion host', owner: 'dave', dueDate: utcDay(-1), tags: [tag] });
    made.none = await addItem(url, { title: 'Decide on a bug bounty', tags: [tag] });
    made.incident = await addItem(url, { title: 'Scope CI tokens per repo', owner: 'alice', dueDate: utcDay(7), incidentId: incident.id });
    made.other = await addItem(url, { title: 'Renew the TLS wildcard', owner: 'bob', dueDate: utcDay(1), tags: ['certs'] });
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  });
  afterEach(async () => {
    await context?.close();
  });

  const owners = (page: any) => page.locator('.ai-owner').evaluateAll((els: any[]) => els.map((e) => e.dataset.owner));
  const titles = (page: any, owner: string) =>
    page.locator(`.ai-owner[data-owner="${owner}"] .ai-title`).evaluateAll((els: any[]) => els.map((e) => e.textContent));

  it('groups open items by owner, overdue first, filters by tag, and marks done in place', async () => {
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${url}/action-items#token=${ADMIN_TOKEN}`);
    await page.locator('body[data-loaded]').waitFor({ timeout: 15000 });

    // Owners with overdue items first (most overdue first), then the rest, the unowned last.
    expect(await owners(page)).toEqual(['carol', 'dave', 'alice', 'bob', '']);
    expect(await titles(page, 'carol')).toEqual(['Rotate the CI deploy key', 'Revoke stale IAM users']);
    expect(await titles(page, 'bob')).toEqual(['Renew the TLS wildcard', 'Turn on MFA for the VPN']);
    expect(await page.locator('.ai-owner[data-owner="carol"] .ai-overdue-count').textContent()).toBe('1 overdue');
    expect(await page.locator(`[data-id="${made.carolLate.id}"] .ai-due`).textContent()).toBe(`due ${utcDay(-3)} · 3 days overdue`);
    expect(await page.locator(`[data-id="${made.incident.id}"] a.ai-incident`).textContent()).toMatch(/^#\d+ Leaked CI token$/);
    expect(await page.locator('#item-count').textContent()).toBe('(7)');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/action-items.png`, fullPage: true });

    // Filter by tag: the meeting's list only.
    await page.fill('#filter-tag', tag);
    await page.click('#filter-form button[type="submit"]');
    await page.waitForFunction(() => (globalThis as any).location.search.includes('tag='));
    await page.locator(`.ai-owner[data-owner="alice"]`).waitFor({ state: 'detached' });
    expect(await owners(page)).toEqual(['carol', 'dave', 'bob', '']);
    expect(await titles(page, 'bob')).toEqual(['Turn on MFA for the VPN']);

    // A tag with spaces is refused before asking.
    await page.fill('#filter-tag', 'security roundup');
    await page.click('#filter-form button[type="submit"]');
    expect(await page.locator('#filter-error').textContent()).toContain('no spaces');

    // Done in place: struck through, counted out, stored; undo brings it back.
    const row = page.locator(`[data-id="${made.carolLate.id}"]`);
    await row.locator('button.ai-done').click();
    await page.locator(`[data-id="${made.carolLate.id}"][data-status="done"]`).waitFor();
    expect(await row.locator('button.ai-done').textContent()).toBe('Undo');
    expect(await page.locator('#item-count').textContent()).toBe('(4)');
    const stored = await call(url, 'GET', `/api/v1/action-items?status=done&tag=${tag}`);
    expect(stored.body.items.map((i: any) => i.id)).toEqual([made.carolLate.id]);
    await row.locator('button.ai-done').click();
    await page.locator(`[data-id="${made.carolLate.id}"][data-status="open"]`).waitFor();
    await row.locator('button.ai-done').click();
    await page.locator(`[data-id="${made.carolLate.id}"][data-status="done"]`).waitFor();
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/action-items-filtered.png`, fullPage: true });

    // The digest's link: one owner's items.
    await page.goto(`${url}/action-items?owner=bob`);
    await page.locator('body[data-loaded]').waitFor({ timeout: 15000 });
    expect(await owners(page)).toEqual(['bob']);
    expect(await page.inputValue('#filter-owner')).toBe('bob');
    expect(errors).toEqual([]);
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await phone.newPage();
    await page.goto(`${url}/action-items#token=${ADMIN_TOKEN}`);
    await page.locator('body[data-loaded]').waitFor({ timeout: 15000 });
    const w = await page.evaluate(() => {
      const g = globalThis as any;
      return { scroll: g.document.documentElement.scrollWidth, inner: g.innerWidth };
    });
    expect(w.scroll).toBeLessThanOrEqual(w.inner);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/action-items-phone.png`, fullPage: true });
    await phone.close();
  });
});
