import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AlertSignal, NormaliseResult, ValidationProblem } from '../domain/alert-signal';
import { alertFingerprint, normaliseAlertmanager, unquoteReceiver } from './alertmanager';
import type { AlertmanagerMeta } from './alertmanager';

const FIXTURES = path.resolve(__dirname, '../../../..', 'shared', 'fixtures', 'alertmanager');
if (!fs.existsSync(FIXTURES)) throw new Error(`fixtures not found at ${FIXTURES}`);
const INTEGRATION = 'int-am-1';
const GROUP_KEY = '{}/{severity="critical"}:{alertname="HighErrorRate", cluster="prod-eu-1"}';

function fixture(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'));
}

function accepted(result: NormaliseResult<AlertmanagerMeta>): { signals: AlertSignal[]; meta: AlertmanagerMeta } {
  if (!result.ok) throw new Error(`expected ok, got ${JSON.stringify(result.problems)}`);
  return result;
}

function refused(result: NormaliseResult<AlertmanagerMeta>): ValidationProblem[] {
  if (result.ok) throw new Error('expected problems, got ok');
  return result.problems;
}

/** firing-single's body, as a fresh object to break in a test. */
function single(): Record<string, any> {
  return fixture('firing-single.json') as Record<string, any>;
}

function withAlert(change: (alert: Record<string, any>) => void): Record<string, any> {
  const body = single();
  change(body.alerts[0]);
  return body;
}

describe('alertFingerprint', () => {
  // prometheus/alertmanager template/template_test.go
  it.each([
    [{ severity: 'warning', job: 'foo' }, '9266ef3da838ad95'],
    [{ severity: 'critical', job: 'foo' }, '3b15fd163d36582e'],
    [{ severity: 'critical', job: 'bar' }, 'c7e68cb08e3e67f9'],
  ])('reproduces Alertmanager for %j → %s', (labels, expected) => {
    expect(alertFingerprint(labels)).toBe(expected);
  });

  it('reproduces every fingerprint in the fixtures', () => {
    const seen = new Set<string>();
    for (const name of ['firing-group.json', 'mixed.json', 'resolved.json', 'truncated.json']) {
      for (const alert of (fixture(name) as { alerts: Array<{ labels: Record<string, string>; fingerprint: string }> })
        .alerts) {
        expect(alertFingerprint(alert.labels)).toBe(alert.fingerprint);
        seen.add(alert.fingerprint);
      }
    }
    expect(seen.size).toBe(5);
  });

  it('does not depend on key order, and an empty label set is the FNV offset basis', () => {
    expect(alertFingerprint({ job: 'foo', severity: 'warning' })).toBe('9266ef3da838ad95');
    expect(alertFingerprint({})).toBe('cbf29ce484222325');
  });

  it('agrees with a BigInt reference over non-ASCII and long values', () => {
    const reference = (labels: Record<string, string>): string => {
      let h = 0xcbf29ce484222325n;
      const names = Object.keys(labels).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) {
        for (const byte of Buffer.concat([
          Buffer.from(name),
          Buffer.from([255]),
          Buffer.from(labels[name]),
          Buffer.from([255]),
        ])) {
          h ^= BigInt(byte);
          h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
        }
      }
      return h.toString(16).padStart(16, '0');
    };
    const labels = { zé: 'ünïcödé ✓', alertname: 'x'.repeat(5000), a_b: '' };
    expect(alertFingerprint(labels)).toBe(reference(labels));
  });
});

describe('unquoteReceiver', () => {
  it('undoes regexp.QuoteMeta', () => {
    expect(unquoteReceiver('payments\\.webhook')).toBe('payments.webhook');
    expect(unquoteReceiver('a\\+b\\\\c\\(d\\)')).toBe('a+b\\c(d)');
    expect(unquoteReceiver('incident-backend')).toBe('incident-backend');
  });
});

describe('normaliseAlertmanager with the fixtures', () => {
  it('turns firing-single into one firing SEV1 signal with everything kept', () => {
    const { signals, meta } = accepted(normaliseAlertmanager(fixture('firing-single.json'), INTEGRATION));
    expect(signals).toHaveLength(1);
    const [signal] = signals;
    expect(signal).toEqual({
      source: 'alertmanager',
      integrationId: INTEGRATION,
      identity: '1b2d0df64a2a6c6a',
      occurrence: '1b2d0df64a2a6c6a@2026-03-14T09:26:53.589Z',
      groupKey: GROUP_KEY,
      status: 'firing',
      severity: 'SEV1',
      summary: 'High 5xx ratio on api-0.prod-eu-1.example.com:8080',
      description: '5xx ratio is 7.3% (> 5% threshold) for checkout & refunds endpoints over the last 5m.',
      runbookUrl: 'https://runbooks.example.com/payments/HighErrorRate',
      generatorUrl: expect.stringMatching(/^http:\/\/prometheus-0\.example\.com:9090\/graph\?g0\.expr=.*&g0\.tab=1$/),
      labels: {
        alertname: 'HighErrorRate',
        cluster: 'prod-eu-1',
        instance: 'api-0.prod-eu-1.example.com:8080',
        job: 'api',
        severity: 'critical',
        team: 'payments',
      },
      annotations: {
        description: '5xx ratio is 7.3% (> 5% threshold) for checkout & refunds endpoints over the last 5m.',
        runbook_url: 'https://runbooks.example.com/payments/HighErrorRate',
        summary: 'High 5xx ratio on api-0.prod-eu-1.example.com:8080',
      },
      service: 'api',
      startsAt: '2026-03-14T09:26:53.589Z',
      endsAt: null,
      links: [],
      details: {
        receiver: 'incident-backend',
        externalURL: 'http://alertmanager.example.com:9093',
        truncatedAlerts: 0,
        fingerprintComputed: false,
      },
    });
    expect(meta).toEqual({
      receiver: 'incident-backend',
      status: 'firing',
      groupKey: GROUP_KEY,
      truncatedAlerts: 0,
      externalURL: 'http://alertmanager.example.com:9093',
      groupLabels: { alertname: 'HighErrorRate', cluster: 'prod-eu-1' },
      commonLabels: signal.labels,
      commonAnnotations: signal.annotations,
    });
  });

  it('decodes \\u003c, \\u003e and \\u0026 (Go escaping) into the characters', () => {
    const { signals } = accepted(normaliseAlertmanager(fixture('firing-single.json'), INTEGRATION));
    expect(signals[0].description).toContain('(> 5% threshold)');
    expect(signals[0].description).toContain('checkout & refunds');
    expect(signals[0].generatorUrl).toContain('&g0.tab=1');
    expect(signals[0].generatorUrl).not.toContain('\\u0026');
  });

  it('turns firing-group into three firing signals of one group, in order', () => {
    const { signals, meta } = accepted(normaliseAlertmanager(fixture('firing-group.json'), INTEGRATION));
    expect(signals.map((s) => [s.identity, s.status, s.severity, s.startsAt])).toEqual([
      ['1b2d0df64a2a6c6a', 'firing', 'SEV1', '2026-03-14T09:26:53.589Z'],
      ['8cecc802d56fa1a9', 'firing', 'SEV1', '2026-03-14T09:27:38.112Z'],
      ['90721e38ff56910c', 'firing', 'SEV1', '2026-03-14T09:28:08.410Z'],
    ]);
    expect(signals.map((s) => s.summary)).toEqual([
      'High 5xx ratio on api-0.prod-eu-1.example.com:8080',
      'High 5xx ratio on api-1.prod-eu-1.example.com:8080',
      'High 5xx ratio on api-2.prod-eu-1.example.com:8080',
    ]);
    expect(signals[2].occurrence).toBe('90721e38ff56910c@2026-03-14T09:28:08.410Z');
    expect(new Set(signals.map((s) => s.groupKey))).toEqual(new Set([GROUP_KEY]));
    expect(signals.every((s) => s.endsAt === null)).toBe(true);
    expect(meta.commonAnnotations).toEqual({ runbook_url: 'https://runbooks.example.com/payments/HighErrorRate' });
  });

  it('turns resolved into three resolved signals with their end times', () => {
    const { signals, meta } = accepted(normaliseAlertmanager(fixture('resolved.json'), INTEGRATION));
    expect(meta.status).toBe('resolved');
    expect(signals.map((s) => [s.identity, s.status, s.endsAt])).toEqual([
      ['1b2d0df64a2a6c6a', 'resolved', '2026-03-14T09:51:53.589Z'],
      ['8cecc802d56fa1a9', 'resolved', '2026-03-14T09:50:38.112Z'],
      ['90721e38ff56910c', 'resolved', '2026-03-14T09:52:08.410Z'],
    ]);
  });

  it('keeps the same identities and occurrences from firing to resolved', () => {
    const firing = accepted(normaliseAlertmanager(fixture('firing-group.json'), INTEGRATION)).signals;
    const resolved = accepted(normaliseAlertmanager(fixture('resolved.json'), INTEGRATION)).signals;
    expect(resolved.map((s) => s.occurrence)).toEqual(firing.map((s) => s.occurrence));
  });

  it('turns mixed into two firing and one resolved signal', () => {
    const { signals, meta } = accepted(normaliseAlertmanager(fixture('mixed.json'), INTEGRATION));
    expect(meta.status).toBe('firing');
    expect(signals.map((s) => [s.identity, s.status, s.endsAt])).toEqual([
      ['1b2d0df64a2a6c6a', 'firing', null],
      ['8cecc802d56fa1a9', 'resolved', '2026-03-14T09:50:38.112Z'],
      ['90721e38ff56910c', 'firing', null],
    ]);
  });

  it('keeps truncatedAlerts = 3 and decodes the QuoteMeta-escaped receiver of truncated', () => {
    const { signals, meta } = accepted(normaliseAlertmanager(fixture('truncated.json'), INTEGRATION));
    expect(meta.truncatedAlerts).toBe(3);
    expect(meta.receiver).toBe('payments.webhook');
    expect(meta.groupKey).toBe('{}/{team="payments"}:{alertname="KubePodCrashLooping", namespace="checkout"}');
    expect(signals).toHaveLength(2);
    expect(signals.map((s) => [s.identity, s.severity, s.service, s.summary, s.runbookUrl])).toEqual([
      [
        'f790fb550246ff8c',
        'SEV3',
        'kube-state-metrics',
        'Pod is crash looping.',
        'https://runbooks.example.com/kubernetes/KubePodCrashLooping',
      ],
      [
        'cfc1bbce5ef1db19',
        'SEV3',
        'kube-state-metrics',
        'Pod is crash looping.',
        'https://runbooks.example.com/kubernetes/KubePodCrashLooping',
      ],
    ]);
    expect(signals[0].description).toBe(
      'Pod checkout/checkout-7d9f8b6c5-2xkqp (checkout) is in waiting state (reason: "CrashLoopBackOff").',
    );
    expect(signals[0].details).toMatchObject({ truncatedAlerts: 3, receiver: 'payments.webhook' });
  });

  it('ignores v0.34 extra fields but keeps notification_reason', () => {
    const extra = accepted(normaliseAlertmanager(fixture('firing-v0.34-extra-fields.json'), INTEGRATION));
    const plain = accepted(normaliseAlertmanager(fixture('firing-single.json'), INTEGRATION));
    expect(extra.signals).toEqual(plain.signals);
    expect(extra.meta).toEqual({ ...plain.meta, notificationReason: 'first notification' });
    expect(extra.meta).not.toHaveProperty('routeLabels');
  });

  it('refuses missing-alerts at `alerts`', () => {
    expect(refused(normaliseAlertmanager(fixture('bad/missing-alerts.json'), INTEGRATION))).toEqual([
      { path: 'alerts', problem: 'is required (an array of alerts)' },
    ]);
  });

  it('refuses version "3" at `version`', () => {
    const problems = refused(normaliseAlertmanager(fixture('bad/wrong-version.json'), INTEGRATION));
    expect(problems).toEqual([{ path: 'version', problem: expect.stringContaining('"3"') }]);
  });

  it('refuses version 4 (a number) at `version`', () => {
    expect(refused(normaliseAlertmanager(fixture('bad/version-not-string.json'), INTEGRATION))).toEqual([
      { path: 'version', problem: 'must be the string "4", got a number' },
    ]);
  });
});

describe('normaliseAlertmanager rules', () => {
  it('accepts an empty alerts array with no signals', () => {
    const body = single();
    body.alerts = [];
    const { signals, meta } = accepted(normaliseAlertmanager(body, INTEGRATION));
    expect(signals).toEqual([]);
    expect(meta.groupKey).toBe(GROUP_KEY);
  });

  it('computes a missing (or empty) fingerprint from the labels', () => {
    for (const value of [undefined, '']) {
      const body = withAlert((alert) => {
        if (value === undefined) delete alert.fingerprint;
        else alert.fingerprint = value;
      });
      const { signals } = accepted(normaliseAlertmanager(body, INTEGRATION));
      expect(signals[0].identity).toBe('1b2d0df64a2a6c6a');
      expect(signals[0].details.fingerprintComputed).toBe(true);
    }
  });

  it('refuses a fingerprint that is not 16 lowercase hex digits', () => {
    for (const value of ['1B2D0DF64A2A6C6A', '1b2d', 42]) {
      const body = withAlert((alert) => (alert.fingerprint = value));
      expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
        { path: 'alerts[0].fingerprint', problem: 'must be 16 lowercase hexadecimal digits' },
      ]);
    }
  });

  it('reads RFC3339Nano times with trimmed fractions and numeric offsets', () => {
    const cases: Array<[string, string]> = [
      ['2026-03-14T09:26:53Z', '2026-03-14T09:26:53.000Z'],
      ['2026-03-14T09:26:53.5Z', '2026-03-14T09:26:53.500Z'],
      ['2026-03-14T09:26:53.123456789Z', '2026-03-14T09:26:53.123Z'],
      ['2026-03-14T10:26:53.589+01:00', '2026-03-14T09:26:53.589Z'],
      ['2026-03-14T04:56:53.589-04:30', '2026-03-14T09:26:53.589Z'],
    ];
    for (const [startsAt, iso] of cases) {
      const body = withAlert((alert) => (alert.startsAt = startsAt));
      const { signals } = accepted(normaliseAlertmanager(body, INTEGRATION));
      expect(signals[0].startsAt).toBe(iso);
      expect(signals[0].occurrence).toBe(`1b2d0df64a2a6c6a@${iso}`);
    }
  });

  it('refuses timestamps that are not RFC 3339', () => {
    for (const value of [
      '2026-03-14 09:26:53Z',
      '2026-03-14T09:26:53',
      '2026-02-30T00:00:00Z',
      'yesterday',
      1710408413,
      '',
    ]) {
      const body = withAlert((alert) => (alert.startsAt = value));
      expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
        { path: 'alerts[0].startsAt', problem: 'must be an RFC 3339 timestamp' },
      ]);
    }
    const body = withAlert((alert) => (alert.endsAt = '0001-01-01'));
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'alerts[0].endsAt', problem: 'must be an RFC 3339 timestamp' },
    ]);
  });

  it('treats Go zero time and a missing endsAt as unset', () => {
    for (const endsAt of ['0001-01-01T00:00:00Z', undefined, null]) {
      const body = withAlert((alert) => {
        alert.status = 'resolved';
        alert.endsAt = endsAt;
      });
      expect(accepted(normaliseAlertmanager(body, INTEGRATION)).signals[0].endsAt).toBeNull();
    }
  });

  it('maps the severity label case-insensitively, missing → SEV4', () => {
    const cases: Array<[string | undefined, string]> = [
      ['critical', 'SEV1'],
      ['ERROR', 'SEV2'],
      ['Warning', 'SEV3'],
      ['info', 'SEV4'],
      ['page', 'SEV4'],
      [undefined, 'SEV4'],
    ];
    for (const [severity, expected] of cases) {
      const body = withAlert((alert) => {
        if (severity === undefined) delete alert.labels.severity;
        else alert.labels.severity = severity;
        delete alert.fingerprint;
      });
      expect(accepted(normaliseAlertmanager(body, INTEGRATION)).signals[0].severity).toBe(expected);
    }
  });

  it('falls back to alertname for the summary, service → job, "" generatorURL → null', () => {
    const body = withAlert((alert) => {
      alert.annotations = {};
      alert.labels.service = 'checkout';
      alert.generatorURL = '';
    });
    const [signal] = accepted(normaliseAlertmanager(body, INTEGRATION)).signals;
    expect(signal.summary).toBe('HighErrorRate');
    expect(signal.description).toBeNull();
    expect(signal.runbookUrl).toBeNull();
    expect(signal.generatorUrl).toBeNull();
    expect(signal.service).toBe('checkout');

    const bare = withAlert((alert) => {
      alert.annotations = {};
      alert.labels = { instance: 'x' };
      delete alert.fingerprint;
    });
    const [other] = accepted(normaliseAlertmanager(bare, INTEGRATION)).signals;
    expect(other.summary).toBe(`Alert ${other.identity}`);
    expect(other.service).toBeNull();
  });

  it('names each envelope field it refuses', () => {
    const body = single();
    body.status = 'pending';
    body.groupKey = 7;
    body.receiver = ['x'];
    body.truncatedAlerts = -1;
    body.groupLabels = 'alertname';
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'status', problem: 'must be "firing" or "resolved", got "pending"' },
      { path: 'groupKey', problem: 'must be a non-empty string' },
      { path: 'receiver', problem: 'must be a string, got an array' },
      { path: 'truncatedAlerts', problem: 'must be a non-negative integer' },
      { path: 'groupLabels', problem: 'must be an object of string values, got a string' },
    ]);
  });

  it('names the alert and field it refuses', () => {
    const body = fixture('firing-group.json') as Record<string, any>;
    body.alerts[1].status = 'pending';
    body.alerts[2].labels.instance = 8080;
    body.alerts.push('not an alert');
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'alerts[1].status', problem: 'must be "firing" or "resolved", got "pending"' },
      { path: 'alerts[2].labels.instance', problem: 'must be a string, got a number' },
      { path: 'alerts[3]', problem: 'must be an object, got a string' },
    ]);
  });
});

describe('normaliseAlertmanager with a large group', () => {
  it("reads the README's 1,500-alert body (≈1.25 MB) with a signal per alert", () => {
    const body = fixture('firing-group.json') as Record<string, any>;
    const template = body.alerts[0];
    body.alerts = Array.from({ length: 1500 }, (_, i) => {
      const alert = structuredClone(template);
      alert.labels.instance = `api-${i}.prod-eu-1.example.com:8080`;
      alert.annotations.summary = `High 5xx ratio on ${alert.labels.instance}`;
      alert.fingerprint = alertFingerprint(alert.labels);
      return alert;
    });
    const started = Date.now();
    const { signals } = accepted(normaliseAlertmanager(JSON.parse(JSON.stringify(body)), INTEGRATION));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(signals).toHaveLength(1500);
    expect(new Set(signals.map((s) => s.identity)).size).toBe(1500);
    expect(signals[1499].summary).toBe('High 5xx ratio on api-1499.prod-eu-1.example.com:8080');
  });
});

describe('normaliseAlertmanager with hostile input', () => {
  it.each([
    [null, 'null'],
    [[], 'an array'],
    [42, 'a number'],
    ['{"version":"4"}', 'a string'],
    [undefined, 'undefined'],
  ])('refuses %p as a body', (body, kind) => {
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: '', problem: `must be a JSON object, got ${kind}` },
    ]);
  });

  it('refuses alerts that is an object, not an array', () => {
    const body = single();
    body.alerts = { 0: body.alerts[0] };
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'alerts', problem: 'must be an array, got an object' },
    ]);
  });

  it('accepts label and annotation values of any length, and any number of labels, as they are', () => {
    const big = '€'.repeat(100_000); // 300 kB: the transport step decides what fits, never the source
    const body = withAlert((alert) => {
      alert.labels.instance = big;
      alert.annotations.summary = big;
      delete alert.fingerprint;
    });
    const [signal] = accepted(normaliseAlertmanager(body, INTEGRATION)).signals;
    expect(signal.labels.instance).toBe(big);
    expect(signal.summary).toBe(big);
    expect(signal.identity).toBe(alertFingerprint(signal.labels));

    const labels: Record<string, string> = {};
    for (let i = 0; i < 5000; i++) labels[`l${i}`] = 'v';
    const many = withAlert((alert) => (alert.labels = labels));
    expect(Object.keys(accepted(normaliseAlertmanager(many, INTEGRATION)).signals[0].labels)).toHaveLength(5000);
  });

  it('accepts a group key of any length (the index holds a bounded form of it)', () => {
    const body = single();
    body.groupKey = `{}:{alertname="${'x'.repeat(100_000)}"}`;
    expect(accepted(normaliseAlertmanager(body, INTEGRATION)).meta.groupKey).toBe(body.groupKey);
  });

  it('refuses nested objects and arrays where label strings belong', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 10_000; i++) {
      const next = {};
      deep.next = next;
      deep = next;
    }
    const body = withAlert((alert) => {
      alert.labels.instance = root;
      alert.labels.job = ['api'];
      alert.annotations = 'summary';
    });
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'alerts[0].labels.instance', problem: 'must be a string, got an object' },
      { path: 'alerts[0].labels.job', problem: 'must be a string, got an array' },
      { path: 'alerts[0].annotations', problem: 'must be an object of string values, got a string' },
    ]);
  });

  it('refuses a __proto__ label without touching any prototype', () => {
    const body = JSON.parse(
      '{"version":"4","status":"firing","groupKey":"g","alerts":[{"status":"firing","startsAt":"2026-03-14T09:26:53Z",' +
        '"labels":{"__proto__":{"polluted":"yes"},"alertname":"A"},"annotations":{"__proto__":"x"}}]}',
    );
    expect(refused(normaliseAlertmanager(body, INTEGRATION))).toEqual([
      { path: 'alerts[0].labels.__proto__', problem: 'is a reserved name' },
      { path: 'alerts[0].annotations.__proto__', problem: 'is a reserved name' },
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('accepts constructor / toString as ordinary label names', () => {
    const body = withAlert((alert) => {
      alert.labels = { constructor: 'c', toString: 't', hasOwnProperty: 'h' };
      delete alert.fingerprint;
    });
    const [signal] = accepted(normaliseAlertmanager(body, INTEGRATION)).signals;
    expect(signal.labels).toEqual({ constructor: 'c', toString: 't', hasOwnProperty: 'h' });
    expect(signal.identity).toBe(alertFingerprint({ constructor: 'c', toString: 't', hasOwnProperty: 'h' }));
  });

  it('quotes odd and long label names in the path', () => {
    const body = withAlert((alert) => {
      alert.labels['a.b c'] = 1;
      alert.labels['k'.repeat(200)] = 2;
    });
    const problems = refused(normaliseAlertmanager(body, INTEGRATION));
    expect(problems.map((p) => p.path)).toEqual([
      'alerts[0].labels["a.b c"]',
      `alerts[0].labels["${'k'.repeat(64)}…"]`,
    ]);
  });

  it('stops at 100 problems for a body of 100,000 bad alerts', () => {
    const body = single();
    body.alerts = Array.from({ length: 100_000 }, () => 1);
    const problems = refused(normaliseAlertmanager(body, INTEGRATION));
    expect(problems).toHaveLength(100);
    expect(problems[99]).toEqual({ path: 'alerts[99]', problem: 'must be an object, got a number' });
  });
});
