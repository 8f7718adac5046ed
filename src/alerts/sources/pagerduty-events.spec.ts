import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChangeEventResult, PagerDutyEventResult } from './pagerduty-events';
import { generateDedupKey, normaliseChangeEvent, normalisePagerDutyEvent, PAGERDUTY_ERRORS } from './pagerduty-events';

const FIXTURES = path.resolve(__dirname, '../../../..', 'shared', 'fixtures', 'pagerduty-events-v2');
const ROUTING_KEY = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const NOW = new Date('2026-03-14T10:00:00.000Z');
const options = { integrationId: 'int-ev-1', now: () => NOW, generateDedupKey: () => 'generated-key' };

function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function errorsOf(result: PagerDutyEventResult | ChangeEventResult): string[] {
  if (result.ok) throw new Error('expected errors, got ok');
  return result.errors;
}

function accepted(result: PagerDutyEventResult): Extract<PagerDutyEventResult, { ok: true }> {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.errors)}`);
  return result;
}

describe('normalisePagerDutyEvent with the fixtures', () => {
  it('the shared fixtures folder is where the specs expect it', () => {
    expect(fs.existsSync(FIXTURES)).toBe(true);
  });

  it('turns trigger.json into a firing SEV1 signal keyed by its dedup_key', () => {
    const result = accepted(normalisePagerDutyEvent(fixture('trigger.json'), options));
    expect(result).toMatchObject({
      routingKey: ROUTING_KEY,
      action: 'trigger',
      dedupKey: 'prod-eu-1/api/HighErrorRate',
      dedupKeyGenerated: false,
    });
    expect(fixture('responses/202-accepted.json').body.dedup_key).toBe(result.dedupKey);
    expect(result.signal).toEqual({
      source: 'pagerduty-events',
      integrationId: 'int-ev-1',
      identity: 'prod-eu-1/api/HighErrorRate',
      occurrence: 'prod-eu-1/api/HighErrorRate',
      groupKey: 'prod-eu-1/api/HighErrorRate',
      status: 'firing',
      severity: 'SEV1',
      summary: '[FIRING:3] HighErrorRate prod-eu-1: 5xx ratio above 5% on api-0, api-1, api-2',
      description: null,
      runbookUrl: 'https://runbooks.example.com/payments/HighErrorRate',
      generatorUrl: 'https://incidents.example.com/incidents/1042',
      labels: {
        source: 'api-0.prod-eu-1.example.com',
        severity: 'critical',
        component: 'checkout-api',
        group: 'prod-eu-1',
        class: 'http-5xx-ratio',
      },
      annotations: {},
      service: 'checkout-api',
      startsAt: '2026-03-14T09:26:53.589Z',
      endsAt: null,
      links: [
        { href: 'https://runbooks.example.com/payments/HighErrorRate', text: 'Runbook' },
        { href: 'http://alertmanager.example.com:9093/#/alerts?receiver=incident-backend' },
      ],
      details: {
        source: 'api-0.prod-eu-1.example.com',
        component: 'checkout-api',
        group: 'prod-eu-1',
        class: 'http-5xx-ratio',
        customDetails: fixture('trigger.json').payload.custom_details,
        images: [
          {
            src: 'https://grafana.example.com/render/d-solo/api/errors.png?panelId=4&from=now-1h',
            href: 'https://grafana.example.com/d/api/errors',
            alt: '5xx ratio, last hour',
          },
        ],
        client: 'Example Incident Backend',
        clientUrl: 'https://incidents.example.com/incidents/1042',
      },
    });
  });

  it('gives trigger-minimal a generated dedup_key and the time received', () => {
    const result = accepted(normalisePagerDutyEvent(fixture('trigger-minimal.json'), options));
    expect(result).toMatchObject({ action: 'trigger', dedupKey: 'generated-key', dedupKeyGenerated: true });
    expect(result.signal).toMatchObject({
      identity: 'generated-key',
      groupKey: 'generated-key',
      severity: 'SEV3',
      summary: 'Disk /var at 97% on db-3.prod-eu-1.example.com',
      service: null,
      runbookUrl: null,
      generatorUrl: null,
      startsAt: NOW.toISOString(),
      links: [],
      labels: { source: 'db-3.prod-eu-1.example.com', severity: 'warning' },
    });
  });

  it('generates 32 hex digits by default, like the documented response', () => {
    const example = fixture('responses/202-accepted-generated-dedup-key.json').body.dedup_key;
    expect(example).toMatch(/^[0-9a-f]{32}$/);
    const first = accepted(normalisePagerDutyEvent(fixture('trigger-minimal.json'))).dedupKey;
    const second = accepted(normalisePagerDutyEvent(fixture('trigger-minimal.json'))).dedupKey;
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(second).not.toBe(first);
    expect(generateDedupKey()).toMatch(/^[0-9a-f]{32}$/);
    expect(accepted(normalisePagerDutyEvent(fixture('trigger-minimal.json'))).signal?.integrationId).toBe('');
  });

  it.each([
    ['acknowledge.json', 'acknowledge'],
    ['resolve.json', 'resolve'],
  ])('accepts %s with its dedup_key and no signal', (file, action) => {
    expect(normalisePagerDutyEvent(fixture(file), options)).toEqual({
      ok: true,
      routingKey: ROUTING_KEY,
      action,
      dedupKey: 'prod-eu-1/api/HighErrorRate',
      dedupKeyGenerated: false,
    });
  });

  it('refuses bad-missing-summary with the text of 400-missing-summary', () => {
    expect(errorsOf(normalisePagerDutyEvent(fixture('bad-missing-summary.json'), options))).toEqual(
      fixture('responses/400-missing-summary.json').body.errors,
    );
  });

  it('refuses bad-severity with the text of 400-bad-severity', () => {
    expect(errorsOf(normalisePagerDutyEvent(fixture('bad-severity.json'), options))).toEqual(
      fixture('responses/400-bad-severity.json').body.errors,
    );
    expect(PAGERDUTY_ERRORS.severityInvalid).toBe(
      "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
    );
  });
});

describe('normalisePagerDutyEvent rules', () => {
  function trigger(change: (body: Record<string, any>) => void): Record<string, any> {
    const body = fixture('trigger.json');
    change(body);
    return body;
  }

  it.each([
    ['critical', 'SEV1'],
    ['error', 'SEV2'],
    ['warning', 'SEV3'],
    ['info', 'SEV4'],
    ['CRITICAL', 'SEV1'],
    [' Warning ', 'SEV3'],
  ])('maps severity %p to %s', (severity, expected) => {
    const result = accepted(
      normalisePagerDutyEvent(
        trigger((b) => (b.payload.severity = severity)),
        options,
      ),
    );
    expect(result.signal?.severity).toBe(expected);
  });

  it('reports every missing trigger field with PagerDuty texts', () => {
    expect(errorsOf(normalisePagerDutyEvent({}, options))).toEqual([
      "'routing_key' is missing or blank",
      "'event_action' is missing or blank",
    ]);
    expect(errorsOf(normalisePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'trigger' }, options))).toEqual([
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
    const blank = trigger((b) => {
      b.routing_key = '  ';
      b.payload.summary = '';
      b.payload.source = ' ';
      b.payload.severity = '';
    });
    expect(errorsOf(normalisePagerDutyEvent(blank, options))).toEqual([
      "'routing_key' is missing or blank",
      "'payload.summary' is missing or blank",
      "'payload.source' is missing or blank",
      "'payload.severity' is missing or blank",
    ]);
  });

  it('refuses an unknown event_action', () => {
    expect(
      errorsOf(
        normalisePagerDutyEvent(
          trigger((b) => (b.event_action = 'snooze')),
          options,
        ),
      ),
    ).toEqual(["'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')"]);
  });

  it('needs a dedup_key to acknowledge or resolve', () => {
    for (const action of ['acknowledge', 'resolve']) {
      for (const dedupKey of [undefined, null, '', '  ']) {
        const body = { routing_key: ROUTING_KEY, event_action: action, dedup_key: dedupKey };
        expect(errorsOf(normalisePagerDutyEvent(body, options))).toEqual(["'dedup_key' is missing or blank"]);
      }
    }
  });

  it('treats a blank dedup_key on trigger as absent', () => {
    const result = accepted(
      normalisePagerDutyEvent(
        trigger((b) => (b.dedup_key = '')),
        options,
      ),
    );
    expect(result).toMatchObject({ dedupKey: 'generated-key', dedupKeyGenerated: true });
  });

  it('refuses a summary over 1024 characters and a dedup_key over 255', () => {
    expect(
      normalisePagerDutyEvent(
        trigger((b) => (b.payload.summary = 's'.repeat(1024))),
        options,
      ).ok,
    ).toBe(true);
    // 1024 astral characters are 2048 UTF-16 units but still 1024 characters
    expect(
      normalisePagerDutyEvent(
        trigger((b) => (b.payload.summary = '🔥'.repeat(1024))),
        options,
      ).ok,
    ).toBe(true);
    expect(
      errorsOf(
        normalisePagerDutyEvent(
          trigger((b) => (b.payload.summary = 's'.repeat(1025))),
          options,
        ),
      ),
    ).toEqual(["'payload.summary' is too long (must be at most 1024 characters)"]);
    expect(
      normalisePagerDutyEvent(
        trigger((b) => (b.dedup_key = 'd'.repeat(255))),
        options,
      ).ok,
    ).toBe(true);
    expect(
      errorsOf(
        normalisePagerDutyEvent(
          trigger((b) => (b.dedup_key = 'd'.repeat(256))),
          options,
        ),
      ),
    ).toEqual(["'dedup_key' is too long (must be at most 255 characters)"]);
    // Characters, not UTF-16 units: 255 emoji are 510 units and still fit; 256 do not.
    expect(normalisePagerDutyEvent(trigger((b) => (b.dedup_key = '🔥'.repeat(255))), options).ok).toBe(true);
    expect(errorsOf(normalisePagerDutyEvent(trigger((b) => (b.dedup_key = '🔥'.repeat(256))), options))).toEqual([
      "'dedup_key' is too long (must be at most 255 characters)",
    ]);
    expect(normalisePagerDutyEvent(trigger((b) => (b.payload.summary = '🔥'.repeat(1024))), options).ok).toBe(true);
  });

  it('reads ISO 8601 timestamps in the usual offset styles', () => {
    const cases: Array<[string, string]> = [
      ['2026-03-14T09:26:53.589+0000', '2026-03-14T09:26:53.589Z'],
      ['2026-03-14T10:26:53+01:00', '2026-03-14T09:26:53.000Z'],
      ['2026-03-14T09:26:53Z', '2026-03-14T09:26:53.000Z'],
      ['2026-03-14T04:26-05', '2026-03-14T09:26:00.000Z'],
    ];
    for (const [timestamp, iso] of cases) {
      const result = accepted(
        normalisePagerDutyEvent(
          trigger((b) => (b.payload.timestamp = timestamp)),
          options,
        ),
      );
      expect(result.signal?.startsAt).toBe(iso);
    }
    for (const timestamp of ['yesterday', '2026-03-14', '2026-03-14T09:26:53', 1710408413]) {
      expect(
        errorsOf(
          normalisePagerDutyEvent(
            trigger((b) => (b.payload.timestamp = timestamp)),
            options,
          ),
        ),
      ).toEqual(["'payload.timestamp' is invalid (must be an ISO 8601 timestamp)"]);
    }
  });

  it('ignores the payload of acknowledge and resolve', () => {
    const body = { ...fixture('resolve.json'), payload: { summary: 3, severity: 'high' } };
    expect(accepted(normalisePagerDutyEvent(body, options)).signal).toBeUndefined();
  });

  it('skips links and images without an href / src, and finds no runbook among them', () => {
    const body = trigger((b) => {
      b.links = [null, 'https://x', { text: 'Runbook' }, { href: 'https://dash.example.com', text: 'Dashboard' }];
      b.images = [{ href: 'https://x' }, 5];
    });
    const { signal } = accepted(normalisePagerDutyEvent(body, options));
    expect(signal?.links).toEqual([{ href: 'https://dash.example.com', text: 'Dashboard' }]);
    expect(signal?.runbookUrl).toBeNull();
    expect(signal?.details.images).toEqual([]);
  });
});

describe('normalisePagerDutyEvent with hostile input', () => {
  it.each([null, [], 42, 'trigger', true])('refuses %p as a body', (body) => {
    expect(errorsOf(normalisePagerDutyEvent(body, options))).toEqual([PAGERDUTY_ERRORS.notAnObject]);
  });

  it('refuses numbers and objects where strings belong', () => {
    const body = {
      routing_key: 12345,
      event_action: ['trigger'],
      dedup_key: { key: 1 },
      payload: { summary: 5, source: {}, severity: 1, component: 7, group: [], class: false },
      client: 1,
      client_url: {},
      links: 'https://x',
      images: {},
    };
    expect(errorsOf(normalisePagerDutyEvent(body, options))).toEqual([
      "'routing_key' is invalid",
      "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')",
      "'dedup_key' is invalid (must be a string)",
    ]);
    const trigger = { ...body, routing_key: ROUTING_KEY, event_action: 'trigger', dedup_key: 'k' };
    expect(errorsOf(normalisePagerDutyEvent(trigger, options))).toEqual([
      "'payload.summary' is invalid (must be a string)",
      "'payload.source' is invalid (must be a string)",
      "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error' or 'info')",
      "'payload.component' is invalid (must be a string)",
      "'payload.group' is invalid (must be a string)",
      "'payload.class' is invalid (must be a string)",
      "'client' is invalid (must be a string)",
      "'client_url' is invalid (must be a string)",
      "'links' is invalid (must be an array)",
      "'images' is invalid (must be an array)",
    ]);
    expect(
      errorsOf(normalisePagerDutyEvent({ routing_key: ROUTING_KEY, event_action: 'trigger', payload: 'x' }, options)),
    ).toEqual(["'payload' is invalid (must be an object)"]);
  });

  it('refuses a 100k-character summary and routing key', () => {
    const body: Record<string, any> = { ...fixture('trigger.json'), routing_key: 'k'.repeat(100_000) };
    body.payload.summary = 'x'.repeat(100_000);
    expect(errorsOf(normalisePagerDutyEvent(body, options))).toEqual([
      "'routing_key' is invalid",
      "'payload.summary' is too long (must be at most 1024 characters)",
    ]);
  });

  it('keeps custom_details as given, cutting nesting deeper than 32 levels with a marker instead of refusing', () => {
    const nest = (depth: number): Record<string, unknown> => {
      const root: Record<string, unknown> = {};
      let node = root;
      for (let i = 1; i < depth; i++) {
        const next = {};
        node.next = next;
        node = next;
      }
      return root;
    };
    const ok = fixture('trigger.json');
    ok.payload.custom_details = nest(32);
    expect(accepted(normalisePagerDutyEvent(ok, options)).signal?.details.customDetails).toEqual(nest(32));
    const deep = fixture('trigger.json');
    deep.payload.custom_details = nest(100_000);
    const { details } = accepted(normalisePagerDutyEvent(deep, options)).signal!;
    let node = details.customDetails as Record<string, unknown>;
    for (let i = 1; i < 32; i++) node = node.next as Record<string, unknown>;
    expect(node).toEqual({ next: '[nested deeper than 32 levels: left out by Sitrep]' });
    expect(details.nestingCut).toBe(true);
    expect(accepted(normalisePagerDutyEvent(ok, options)).signal?.details).not.toHaveProperty('nestingCut');
    const string = fixture('trigger.json');
    string.payload.custom_details = 'free text';
    expect(accepted(normalisePagerDutyEvent(string, options)).signal?.details.customDetails).toBe('free text');
  });

  it('keeps __proto__ keys from touching any prototype', () => {
    const body = JSON.parse(
      '{"__proto__":{"routing_key":"x"},"event_action":"trigger","payload":{"__proto__":{"summary":"s"},' +
        '"source":"a","severity":"info","custom_details":{"__proto__":{"polluted":true}}}}',
    );
    expect(errorsOf(normalisePagerDutyEvent(body, options))).toEqual([
      "'routing_key' is missing or blank",
      "'payload.summary' is missing or blank",
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('normaliseChangeEvent', () => {
  const change = {
    routing_key: ROUTING_KEY,
    payload: {
      summary: 'Deploy checkout-api v2.14.2',
      timestamp: '2026-03-14T09:20:00.000+0000',
      source: 'argo-cd',
      custom_details: { service: 'checkout-api', build: 4412, commit: 'a1b2c3d' },
    },
    links: [{ href: 'https://ci.example.com/builds/4412', text: 'Build 4412' }, { text: 'no href' }],
  };

  it('turns a change event into a change with its service, details and links', () => {
    expect(normaliseChangeEvent(change, options)).toEqual({
      ok: true,
      routingKey: ROUTING_KEY,
      change: {
        summary: 'Deploy checkout-api v2.14.2',
        source: 'argo-cd',
        timestamp: '2026-03-14T09:20:00.000Z',
        service: 'checkout-api',
        details: { service: 'checkout-api', build: 4412, commit: 'a1b2c3d' },
        links: [{ href: 'https://ci.example.com/builds/4412', text: 'Build 4412' }],
      },
    });
  });

  it('needs only routing_key and payload.summary; the time received stands in for a timestamp', () => {
    expect(normaliseChangeEvent({ routing_key: ROUTING_KEY, payload: { summary: 'Deploy' } }, options)).toEqual({
      ok: true,
      routingKey: ROUTING_KEY,
      change: { summary: 'Deploy', source: null, timestamp: NOW.toISOString(), service: null, details: {}, links: [] },
    });
  });

  it('wraps custom_details that are not an object, and ignores a non-string service', () => {
    const text = normaliseChangeEvent({ routing_key: ROUTING_KEY, payload: { summary: 'D', custom_details: 'v2' } });
    expect(text.ok && text.change.details).toEqual({ custom_details: 'v2' });
    const odd = normaliseChangeEvent({
      routing_key: ROUTING_KEY,
      payload: { summary: 'D', custom_details: { service: 42 } },
    });
    expect(odd.ok && odd.change.service).toBeNull();
  });

  it('refuses what PagerDuty refuses', () => {
    expect(errorsOf(normaliseChangeEvent({}, options))).toEqual([
      "'routing_key' is missing or blank",
      "'payload.summary' is missing or blank",
    ]);
    expect(
      errorsOf(
        normaliseChangeEvent(
          { routing_key: ROUTING_KEY, payload: { summary: 's'.repeat(1025), timestamp: 'now', source: 5 } },
          options,
        ),
      ),
    ).toEqual([
      "'payload.summary' is too long (must be at most 1024 characters)",
      "'payload.source' is invalid (must be a string)",
      "'payload.timestamp' is invalid (must be an ISO 8601 timestamp)",
    ]);
    expect(errorsOf(normaliseChangeEvent({ routing_key: ROUTING_KEY, payload: [] }, options))).toEqual([
      "'payload' is invalid (must be an object)",
    ]);
    expect(errorsOf(normaliseChangeEvent(null, options))).toEqual([PAGERDUTY_ERRORS.notAnObject]);
  });
});
