import type { Browser, BrowserContext } from 'playwright-core';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase } from '../support/database';
import { createSchedule, putResponders } from '../oncall/support';
import { collectErrors, launchChromium } from './browser';

const DAY = 86_400_000;

/** No sideways scrolling: runs in the page. */
const fitsWidth = () => {
  const w = globalThis as any;
  return w.document.documentElement.scrollWidth <= w.innerWidth;
};

describe('the /on-call page in a browser', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let platform: { id: string };
  let later: { id: string };

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('web_oncall');
    instance = await startApp(databaseUrl);
    url = instance.url;
    browser = await launchChromium();
    await putResponders(url);
    const start = new Date(Date.now() - 3 * DAY).toISOString().slice(0, 10);
    platform = await createSchedule(url, {
      name: 'Platform',
      timeZone: 'Europe/Berlin',
      layers: [
        { name: 'primary', members: ['alice', 'bob', 'carol'], start: `${start}T09:00`, rotation: 'P1W' },
        {
          name: 'secondary',
          members: ['dave', 'erin'],
          start: `${start}T09:00`,
          rotation: 'P1D',
          restrictions: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' }],
        },
      ],
    });
    const overrideStart = Date.now() + 2 * DAY;
    const override = await call(url, 'POST', `/api/v1/schedules/${platform.id}/overrides`, {
      body: {
        handle: 'erin',
        start: new Date(overrideStart).toISOString(),
        end: new Date(overrideStart + 12 * 3600_000).toISOString(),
      },
    });
    expect(override.status).toBe(201);
    later = await createSchedule(url, {
      name: 'Search (from 2099)',
      timeZone: 'UTC',
      layers: [{ name: 'primary', members: ['bob'], start: '2099-01-05T00:00', rotation: 'P1W' }],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.close();
    await dropTestDatabase(databaseUrl);
  });
  beforeEach(async () => {
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      timezoneId: 'Europe/Berlin',
      locale: 'en-GB',
    });
  });
  afterEach(async () => {
    await context?.close();
  });

  it('shows who is on call now for every schedule and a two-week strip of the final shifts', async () => {
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${url}/on-call#token=${ADMIN_TOKEN}`);
    await page.locator('body[data-loaded]').waitFor({ timeout: 15000 });
    expect(page.url()).not.toContain('token');

    const now = (await call(url, 'GET', '/api/v1/on-call')).body.items;
    const cards = page.locator('.oc-card');
    expect(await cards.count()).toBe(2);
    expect(await page.locator('.oc-card h2').allTextContents()).toEqual(now.map((i: any) => i.schedule.name));

    const platformCard = page.locator(`.oc-card[data-schedule-id="${platform.id}"]`);
    const onCall = now.find((i: any) => i.schedule.id === platform.id);
    expect(await platformCard.locator('.oc-now .oc-person').getAttribute('data-handle')).toBe(onCall.handle);
    expect(await platformCard.locator('.oc-until time').getAttribute('datetime')).toBe(onCall.until);

    // The strip draws exactly the API's shifts for the range it shows.
    const strip = platformCard.locator('.oc-strip');
    const from = await strip.getAttribute('data-from');
    const to = await strip.getAttribute('data-to');
    expect(Date.parse(to!) - Date.parse(from!)).toBeGreaterThanOrEqual(14 * DAY - 3600_000);
    const shifts = (await call(url, 'GET', `/api/v1/schedules/${platform.id}/shifts?from=${from}&to=${to}`)).body.items;
    const drawn = await strip.locator('.oc-shift').evaluateAll((blocks) =>
      blocks.map((b) => {
        const el = b as unknown as { dataset: Record<string, string> };
        return { handle: el.dataset.handle, start: el.dataset.start, end: el.dataset.end, source: el.dataset.source };
      }),
    );
    expect(drawn).toEqual(shifts);
    expect(shifts.some((s: any) => s.source === 'override' && s.handle === 'erin')).toBe(true);
    expect(await strip.locator('.oc-shift.oc-override').count()).toBe(
      shifts.filter((s: any) => s.source === 'override').length,
    );
    // Widths add up to the covered time: blocks are placed by time, not evenly.
    const widths = await strip
      .locator('.oc-shift')
      .evaluateAll((blocks) =>
        blocks.map(
          (b) => (b as unknown as { getBoundingClientRect(): { width: number } }).getBoundingClientRect().width,
        ),
      );
    const trackWidth = await strip
      .locator('.oc-track')
      .evaluate((t) => (t as unknown as { clientWidth: number }).clientWidth);
    const covered = shifts.reduce((sum: number, s: any) => sum + (Date.parse(s.end) - Date.parse(s.start)), 0);
    const expectedWidth = (covered / (Date.parse(to!) - Date.parse(from!))) * trackWidth;
    expect(Math.abs(widths.reduce((a, b) => a + b, 0) - expectedWidth)).toBeLessThan(shifts.length * 2);
    expect(await strip.locator('.oc-day').count()).toBe(14);
    const next = shifts.find((s: any) => Date.parse(s.start) > Date.now() && s.handle !== onCall.handle);
    expect(await platformCard.locator('.oc-next').getAttribute('data-handle')).toBe(next.handle);
    expect(await platformCard.locator('.oc-next time').getAttribute('datetime')).toBe(next.start);
    expect(await strip.locator('ol.visually-hidden li').count()).toBe(shifts.length);

    const laterCard = page.locator(`.oc-card[data-schedule-id="${later.id}"]`);
    expect(await laterCard.locator('.oc-person').textContent()).toBe('Nobody');
    expect(await laterCard.locator('.oc-shift').count()).toBe(0);

    await page.screenshot({ path: '/tmp/on-call-desktop.png', fullPage: true });
    expect(errors).toEqual([]);
  });

  it('fits a phone screen, and without a token asks to sign in', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, timezoneId: 'America/New_York' });
    try {
      const page = await phone.newPage();
      const errors = collectErrors(page);
      await page.goto(`${url}/on-call`);
      await page.locator('#signin').waitFor({ state: 'visible' });
      await page.fill('#signin-token', ADMIN_TOKEN);
      await page.click('#signin-form button[type=submit]');
      await page.locator('body[data-loaded]').waitFor({ timeout: 15000 });
      expect(await page.locator('.oc-card').count()).toBe(2);
      await page.screenshot({ path: '/tmp/on-call-phone.png', fullPage: true });
      expect(await page.evaluate(fitsWidth)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await phone.close();
    }
  });
});
