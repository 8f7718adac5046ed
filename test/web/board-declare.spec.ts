import type { Browser, BrowserContext } from 'playwright-core';
import { MailSink } from '../notifications/mail-sink';
import { ADMIN_TOKEN, call, startApp, TestApp } from '../support/app';
import { createTestDatabase, dropTestDatabase, eventually } from '../support/database';
import { putPeople } from '../followups/support';
import { collectErrors, launchChromium } from './browser';

const SHOTS = process.env.SCREENSHOT_DIR;

describe('declaring from the board and posting a status update from the incident page, in a browser', () => {
  let databaseUrl: string;
  let instance: TestApp;
  let sink: MailSink;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    databaseUrl = await createTestDatabase('web_declare');
    sink = await MailSink.start();
    instance = await startApp(databaseUrl, {
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Sitrep <sitrep@example.test>',
      STAKEHOLDER_EMAIL_TO: 'vp@example.com',
      UPDATE_CADENCE: 'SEV1=PT30M,SEV2=PT1H',
    });
    url = instance.url;
    browser = await launchChromium();
    await putPeople(url);
  });
  afterAll(async () => {
    await browser?.close();
    await instance?.close();
    await sink?.close();
    await dropTestDatabase(databaseUrl);
  });
  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: 'Europe/Berlin', locale: 'en-GB' });
  });
  afterEach(async () => {
    await context?.close();
  });

  it('declares an incident with the board form, lands on its page, and posts a stakeholder update there', async () => {
    const page = await context.newPage();
    const errors = collectErrors(page);
    await page.goto(`${url}/#token=${ADMIN_TOKEN}`);
    await page.locator('#connection[data-state="live"]').waitFor({ timeout: 15000 });

    await page.click('#declare-toggle');
    // Nothing typed: refused in the page, the title marked.
    await page.click('#declare-form button[type="submit"]');
    expect(await page.locator('#declare-error').textContent()).toContain('title');
    expect(await page.getAttribute('#declare-title', 'aria-invalid')).toBe('true');

    await page.fill('#declare-title', 'Checkout 5xx above 5% in eu-west');
    await page.selectOption('#declare-severity', 'SEV1');
    await page.fill('#declare-service', 'checkout-api');
    await page.fill('#declare-summary', 'Error ratio on /api/checkout rose after the 14:02 deploy.');
    // The API's 400 names the field: the page marks it.
    await page.fill('#declare-commander', 'two words');
    await page.click('#declare-form button[type="submit"]');
    await page.locator('#declare-commander[aria-invalid="true"]').waitFor();
    expect(await page.locator('#declare-error').textContent()).toContain('commander');
    await page.fill('#declare-commander', 'alice');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/board-declare.png`, fullPage: true });
    await page.click('#declare-form button[type="submit"]');

    await page.waitForURL(/\/incidents\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    const incident = (await call(url, 'GET', `/api/v1/incidents/${id}`)).body;
    expect(incident).toMatchObject({
      title: 'Checkout 5xx above 5% in eu-west',
      severity: 'SEV1',
      service: 'checkout-api',
      summary: 'Error ratio on /api/checkout rose after the 14:02 deploy.',
      roles: { commander: 'alice' },
      source: 'manual',
    });

    // The incident page says when stakeholders are owed an update (SEV1: 30 minutes from declaration).
    await page.locator('#update-due[data-state="due"]').waitFor({ timeout: 15000 });
    expect(await page.locator('#update-due').textContent()).toMatch(/^No update posted yet\. Next update due in (29|30)m \(at /);

    const text = 'Checkout is failing for about 5% of EU customers. We are rolling back the 14:02 deploy; next update in 30 minutes.';
    await page.fill('#update-text', text);
    await page.click('#update-form button[type="submit"]');
    await page.locator('#timeline [data-type="incident.status_update"]').waitFor({ timeout: 15000 });
    await page.waitForFunction(() => /Last update/.test((globalThis as any).document.getElementById('update-due').textContent));
    expect(await page.locator('#update-due').textContent()).toMatch(/Next update due in (29|30)m/);
    expect(await page.inputValue('#update-text')).toBe('');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/incident-status-update.png`, fullPage: true });

    const mail = await eventually(() => sink.to('vp@example.com')[0], { message: 'the update mailed to stakeholders' });
    expect(mail.text).toContain(text);
    const timeline = (await call(url, 'GET', `/api/v1/incidents/${id}/timeline`)).body.items;
    expect(timeline.filter((e: any) => e.type === 'incident.status_update').map((e: any) => e.data.text)).toEqual([text]);
    expect(errors).toEqual([]);
  });
});
