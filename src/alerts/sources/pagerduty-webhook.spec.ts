import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AlertSignal, NormaliseResult, ValidationProblem } from '../domain/alert-signal';
import { normalisePagerDutyWebhook, pagerDutySeverity } from './pagerduty-webhook';
import type { PagerDutyWebhookMeta } from './pagerduty-webhook';

const FIXTURES = path.resolve(__dirname, '../../../..', 'shared', 'fixtures', 'pagerduty-v3');
const INTEGRATION = 'int-pd-1';
const INCIDENT = 'Q2K7ZP4XW1MNBA';
const TITLE = '[FIRING:1] HighErrorRate prod-eu-1 (critical)';

function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

function accepted(result: NormaliseResult<PagerDutyWebhookMeta>): {
  signals: AlertSignal[];
  meta: PagerDutyWebhookMeta;
} {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  return result;
}

function refused(result: NormaliseResult<PagerDutyWebhookMeta>): ValidationProblem[] {
  if (result.ok) throw new Error('expected problems, got ok');
  return result.problems;
}

describe('normalisePagerDutyWebhook with the fixtures', () => {
  it('turns incident.triggered into a firing SEV1 signal identified by the incident id', () => {
    const { signals, meta } = accepted(normalisePagerDutyWebhook(fixture('incident.triggered'), INTEGRATION));
    expect(meta).toEqual({
      eventId: '01JPB7Q3K4X9T2M6V8C5N1R0WZ',
      eventType: 'incident.triggered',
      resourceType: 'incident',
      occurredAt: '2026-03-14T09:27:25.318Z',
      agent: { id: 'PSV4N2K', type: 'service_reference', summary: 'Checkout API (prod-eu-1)' },
    });
    expect(signals).toEqual([
      {
        source: 'pagerduty-webhook',
        integrationId: INTEGRATION,
        identity: INCIDENT,
        occurrence: INCIDENT,
        groupKey: INCIDENT,
        status: 'firing',
        severity: 'SEV1',
        summary: TITLE,
        description: null,
        runbookUrl: null,
        generatorUrl: `https://example.pagerduty.com/incidents/${INCIDENT}`,
        labels: {
          urgency: 'high',
          priority: 'P1',
          service: 'Checkout API (prod-eu-1)',
          escalation_policy: 'Payments Primary',
          teams: 'Payments',
        },
        annotations: {},
        service: 'Checkout API (prod-eu-1)',
        startsAt: '2026-03-14T09:27:25.000Z',
        endsAt: null,
        links: [{ href: 'https://meet.example.com/payments-bridge', text: 'Conference bridge' }],
        details: {
          eventId: '01JPB7Q3K4X9T2M6V8C5N1R0WZ',
          eventType: 'incident.triggered',
          occurredAt: '2026-03-14T09:27:25.318Z',
          incidentNumber: 1042,
          incidentKey: '5f2a1c9e8b7d4e3fa1b2c3d4e5f60718',
          htmlUrl: `https://example.pagerduty.com/incidents/${INCIDENT}`,
          pagerDutyStatus: 'triggered',
          priority: 'P1',
          urgency: 'high',
          escalationPolicy: 'Payments Primary',
          teams: ['Payments'],
          assignees: ['Dana Whitfield'],
          agent: 'Checkout API (prod-eu-1)',
        },
      },
    ]);
  });

  it('turns incident.acknowledged into an acknowledged signal', () => {
    const { signals, meta } = accepted(normalisePagerDutyWebhook(fixture('incident.acknowledged'), INTEGRATION));
    expect(meta.eventId).toBe('01JPB7R8D2F6H4J0K3M5P7S9UV');
    expect(meta.agent).toEqual({ id: 'PXK3T9A', type: 'user_reference', summary: 'Dana Whitfield' });
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ identity: INCIDENT, status: 'acknowledged', severity: 'SEV1', endsAt: null });
  });

  it('turns incident.reassigned into a signal with the status from data and the new assignee', () => {
    const { signals, meta } = accepted(normalisePagerDutyWebhook(fixture('incident.reassigned'), INTEGRATION));
    expect(meta.eventType).toBe('incident.reassigned');
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ identity: INCIDENT, status: 'acknowledged', severity: 'SEV1', summary: TITLE });
    expect(signals[0].details.assignees).toEqual(['Ravi Natarajan']);
  });

  it('turns incident.priority_updated into a SEV2 signal (priority P2)', () => {
    const { signals } = accepted(normalisePagerDutyWebhook(fixture('incident.priority_updated'), INTEGRATION));
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({ identity: INCIDENT, status: 'acknowledged', severity: 'SEV2' });
    expect(signals[0].labels.priority).toBe('P2');
  });

  it('turns incident.resolved into a resolved signal ending when the event occurred', () => {
    const { signals, meta } = accepted(normalisePagerDutyWebhook(fixture('incident.resolved'), INTEGRATION));
    expect(meta.eventId).toBe('01JPB7Y2D4F6H8K0M2P4R6T8WA');
    expect(signals).toHaveLength(1);
    expect(signals[0]).toMatchObject({
      identity: INCIDENT,
      groupKey: INCIDENT,
      status: 'resolved',
      severity: 'SEV2',
      startsAt: '2026-03-14T09:27:25.000Z',
      endsAt: '2026-03-14T09:58:51.446Z',
    });
    expect(signals[0].details.assignees).toEqual([]);
  });

  it('turns incident.annotated into no signal and the note, UTF-8 intact, in meta.annotation', () => {
    const { signals, meta } = accepted(normalisePagerDutyWebhook(fixture('incident.annotated'), INTEGRATION));
    expect(signals).toEqual([]);
    expect(meta.eventId).toBe('01JPB7T1A3C5E7G9J2L4N6Q8SX');
    expect(meta.ignored).toBeUndefined();
    expect(meta.annotation).toEqual({
      incidentId: INCIDENT,
      noteId: 'PNOTE7Y',
      content:
        'Rolled back checkout to v2.14.1 – 5xx ratio dropping; watching for 15 min. “Refunds” path still elevated.',
      trimmed: false,
    });
  });

  it('gives every incident event of the fixtures the same identity', () => {
    const ids = ['triggered', 'acknowledged', 'reassigned', 'priority_updated', 'resolved'].map(
      (type) => accepted(normalisePagerDutyWebhook(fixture(`incident.${type}`), INTEGRATION)).signals[0].identity,
    );
    expect(new Set(ids)).toEqual(new Set([INCIDENT]));
  });
});

describe('normalisePagerDutyWebhook rules', () => {
  it.each(['incident.responder.added', 'incident.status_update_published', 'service.updated', 'something.new'])(
    'accepts %s with no signal and meta.ignored',
    (eventType) => {
      const body = fixture('incident.triggered');
      body.event.event_type = eventType;
      body.event.data = { whatever: [1, 2, 3] };
      const { signals, meta } = accepted(normalisePagerDutyWebhook(body, INTEGRATION));
      expect(signals).toEqual([]);
      expect(meta).toMatchObject({ ignored: eventType, eventId: '01JPB7Q3K4X9T2M6V8C5N1R0WZ', eventType });
    },
  );

  it.each([
    ['incident.unacknowledged', 'firing'],
    ['incident.reopened', 'firing'],
    ['incident.escalated', 'acknowledged'],
    ['incident.delegated', 'acknowledged'],
  ])('maps %s to %s', (eventType, status) => {
    const body = fixture('incident.acknowledged');
    body.event.event_type = eventType;
    expect(accepted(normalisePagerDutyWebhook(body, INTEGRATION)).signals[0].status).toBe(status);
  });

  it.each<[string | null, string | null, string]>([
    ['P1', 'high', 'SEV1'],
    ['p2', 'low', 'SEV2'],
    ['P3', 'high', 'SEV3'],
    ['P4', 'high', 'SEV4'],
    ['P5', null, 'SEV4'],
    [null, 'high', 'SEV2'],
    [null, 'low', 'SEV4'],
    ['Sev-A', 'high', 'SEV2'],
    [null, null, 'SEV4'],
  ])('severity of priority %s, urgency %s is %s', (priority, urgency, expected) => {
    expect(pagerDutySeverity(priority, urgency)).toBe(expected);
  });

  it('reads severity from urgency when the incident has no priority', () => {
    const body = fixture('incident.triggered');
    body.event.data.priority = null;
    body.event.data.urgency = 'low';
    const [signal] = accepted(normalisePagerDutyWebhook(body, INTEGRATION)).signals;
    expect(signal.severity).toBe('SEV4');
    expect(signal.labels).not.toHaveProperty('priority');
  });

  it('falls back to the incident number when the title is missing, and to occurred_at for startsAt', () => {
    const body = fixture('incident.triggered');
    delete body.event.data.title;
    delete body.event.data.created_at;
    const [signal] = accepted(normalisePagerDutyWebhook(body, INTEGRATION)).signals;
    expect(signal.summary).toBe('PagerDuty incident #1042');
    expect(signal.startsAt).toBe('2026-03-14T09:27:25.318Z');
  });

  it('names the fields it refuses', () => {
    const body = fixture('incident.reassigned');
    body.event.data.id = '';
    body.event.data.status = 'open';
    body.event.data.title = { text: 'x' };
    expect(refused(normalisePagerDutyWebhook(body, INTEGRATION))).toEqual([
      { path: 'event.data.id', problem: 'must not be blank' },
      { path: 'event.data.title', problem: 'must be a string, got an object' },
      { path: 'event.data.status', problem: 'must be "triggered", "acknowledged" or "resolved"' },
    ]);
  });

  it('refuses a missing event id, event type or bad occurred_at', () => {
    const body = fixture('incident.triggered');
    delete body.event.id;
    body.event.event_type = 12;
    body.event.occurred_at = 'soon';
    expect(refused(normalisePagerDutyWebhook(body, INTEGRATION))).toEqual([
      { path: 'event.id', problem: 'is required' },
      { path: 'event.event_type', problem: 'must be a string, got a number' },
      { path: 'event.occurred_at', problem: 'must be an ISO 8601 timestamp' },
    ]);
  });

  it('refuses an incident event whose data is a note, and a note without its incident', () => {
    const triggered = fixture('incident.triggered');
    triggered.event.data = fixture('incident.annotated').event.data;
    expect(refused(normalisePagerDutyWebhook(triggered, INTEGRATION))).toEqual([
      { path: 'event.data.type', problem: 'must be "incident" for incident.triggered' },
    ]);

    const annotated = fixture('incident.annotated');
    delete annotated.event.data.incident;
    annotated.event.data.content = null;
    expect(refused(normalisePagerDutyWebhook(annotated, INTEGRATION))).toEqual([
      { path: 'event.data.incident', problem: 'is required' },
      { path: 'event.data.content', problem: 'is required' },
    ]);
  });
});

describe('normalisePagerDutyWebhook with hostile input', () => {
  it.each([
    [null, 'null'],
    [[{ event: {} }], 'an array'],
    [7, 'a number'],
    ['event', 'a string'],
  ])('refuses %p as a body', (body, kind) => {
    expect(refused(normalisePagerDutyWebhook(body, INTEGRATION))).toEqual([
      { path: '', problem: `must be a JSON object, got ${kind}` },
    ]);
  });

  it('refuses a missing or non-object event', () => {
    expect(refused(normalisePagerDutyWebhook({}, INTEGRATION))).toEqual([
      { path: 'event', problem: 'is required (a PagerDuty V3 event)' },
    ]);
    expect(refused(normalisePagerDutyWebhook({ event: 'incident.triggered' }, INTEGRATION))).toEqual([
      { path: 'event', problem: 'must be an object, got a string' },
    ]);
  });

  it('refuses data that is an array and agent that is a string', () => {
    const body = fixture('incident.triggered');
    body.event.agent = 'PSV4N2K';
    expect(refused(normalisePagerDutyWebhook(body, INTEGRATION))).toEqual([
      { path: 'event.agent', problem: 'must be an object or null, got a string' },
    ]);
    const other = fixture('incident.triggered');
    other.event.data = [other.event.data];
    expect(refused(normalisePagerDutyWebhook(other, INTEGRATION))).toEqual([
      { path: 'event.data', problem: 'must be an object, got an array' },
    ]);
  });

  it('accepts a 60k-character id and a 100k-character title as they are (PagerDuty disables a subscription after three refusals)', () => {
    const body = fixture('incident.triggered');
    body.event.id = 'x'.repeat(60_000);
    body.event.data.title = 'y'.repeat(100_000);
    const result = accepted(normalisePagerDutyWebhook(body, INTEGRATION));
    expect(result.meta.eventId).toBe(body.event.id);
    expect(result.signals[0].summary).toBe(body.event.data.title);
  });

  it('refuses an id over 64 KiB: an id is identity, and a cut one could merge two incidents', () => {
    const body = fixture('incident.triggered');
    body.event.data.id = 'x'.repeat(70_000);
    expect(refused(normalisePagerDutyWebhook(body, INTEGRATION))).toEqual([
      { path: 'event.data.id', problem: 'is longer than 65536 bytes' },
    ]);
  });

  it('ignores odd shapes in the optional references instead of failing', () => {
    const body = fixture('incident.triggered');
    body.event.data.service = 'Checkout';
    body.event.data.priority = { summary: { deep: { deeper: 'P1' } } };
    body.event.data.teams = 'Payments';
    body.event.data.assignees = [null, 3, { summary: 'Dana Whitfield' }];
    body.event.data.conference_bridge = [];
    body.event.data.number = '1042';
    const [signal] = accepted(normalisePagerDutyWebhook(body, INTEGRATION)).signals;
    expect(signal.service).toBeNull();
    expect(signal.severity).toBe('SEV2');
    expect(signal.labels).toEqual({ urgency: 'high', escalation_policy: 'Payments Primary' });
    expect(signal.details.assignees).toEqual(['Dana Whitfield']);
    expect(signal.links).toEqual([]);
  });

  it('keeps __proto__ keys in the body from touching any prototype', () => {
    const body = JSON.parse(
      fs
        .readFileSync(path.join(FIXTURES, 'incident.triggered.json'), 'utf8')
        .replace('"data":{', '"data":{"__proto__":{"status":"resolved","polluted":true},'),
    );
    const [signal] = accepted(normalisePagerDutyWebhook(body, INTEGRATION)).signals;
    expect(signal.status).toBe('firing');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
