import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the contract defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: undefined,
      kafka: undefined,
      topicPrefix: 'sitrep.',
      adminToken: undefined,
      slack: { botToken: undefined, channel: '#incidents', apiUrl: 'https://slack.com/api/' },
      email: { smtpUrl: undefined, from: undefined, notifyTo: [] },
      notifyMinSeverity: 'SEV2',
      ackTimeoutSeconds: 300,
      ingestBodyLimit: 16777216,
      apiBodyLimit: 1048576,
      publicUrl: 'http://localhost:3000',
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('reads every variable of the contract', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/sitrep',
      KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
      KAFKA_CLIENT_ID: 'sitrep-eu',
      KAFKA_TOPIC_PREFIX: 'prod.',
      SITREP_ADMIN_TOKEN: 'a-very-long-admin-token',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_CHANNEL: 'C123',
      SLACK_API_URL: 'http://127.0.0.1:9999/api',
      SMTP_URL: 'smtp://127.0.0.1:2525',
      EMAIL_FROM: 'sitrep@example.com',
      NOTIFY_EMAIL_TO: 'a@example.com, b@example.com',
      NOTIFY_MIN_SEVERITY: 'sev3',
      ACK_TIMEOUT: '60',
      INGEST_BODY_LIMIT: '2048',
      PUBLIC_URL: 'https://sitrep.example.com/',
      KAFKA_PARTITIONS: '32',
    });
    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://u:p@db:5432/sitrep',
      kafka: { brokers: ['kafka-1:9092', 'kafka-2:9092'], clientId: 'sitrep-eu', partitions: 32 },
      topicPrefix: 'prod.',
      slack: { botToken: 'xoxb-1', channel: 'C123', apiUrl: 'http://127.0.0.1:9999/api/' },
      email: { smtpUrl: 'smtp://127.0.0.1:2525', from: 'sitrep@example.com', notifyTo: ['a@example.com', 'b@example.com'] },
      notifyMinSeverity: 'SEV3',
      ackTimeoutSeconds: 60,
      ingestBodyLimit: 2048,
      publicUrl: 'https://sitrep.example.com',
    });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['KAFKA_PARTITIONS', '0'],
    ['DATABASE_URL', 'mysql://db/x'],
    ['DATABASE_URL', 'not a url'],
    ['KAFKA_BROKERS', 'kafka-1'],
    ['KAFKA_BROKERS', 'kafka:99999'],
    ['SLACK_API_URL', 'ftp://slack'],
    ['SMTP_URL', 'http://mail'],
    ['NOTIFY_EMAIL_TO', 'not-an-address'],
    ['NOTIFY_MIN_SEVERITY', 'SEV9'],
    ['ACK_TIMEOUT', '-5'],
    ['ACK_TIMEOUT', '0'],
    ['INGEST_BODY_LIMIT', '1e6'],
    ['PUBLIC_URL', 'localhost:3000'],
    ['SITREP_ADMIN_TOKEN', 'short'],
    ['LOG_LEVEL', 'loud'],
  ])('rejects %s=%s with one line naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toContain(variable);
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('reads the timer poll interval and the rules file path as given (notifications reads the file)', () => {
    expect(loadConfig({})).toMatchObject({ timerPollMs: 1000, notifyRulesFile: undefined });
    expect(loadConfig({ TIMER_POLL_MS: '50', NOTIFY_RULES_FILE: '/etc/sitrep/rules.json' })).toMatchObject({
      timerPollMs: 50,
      notifyRulesFile: '/etc/sitrep/rules.json',
    });
  });

  it('reads the v2 variables with their defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      twilio: { accountSid: undefined, apiUrl: 'https://api.twilio.com' },
      slackSigningSecret: undefined,
      slackIncidentChannels: false,
      stakeholders: { slackChannel: undefined, emailTo: [] },
      updateCadence: { SEV1: 'PT30M', SEV2: 'PT1H' },
      reminder: { time: '09:00', timeZone: 'UTC' },
    });
    const set = loadConfig({
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_AUTH_TOKEN: 'secret',
      TWILIO_FROM: '+15005550006',
      TWILIO_API_URL: 'http://127.0.0.1:9999/',
      SLACK_SIGNING_SECRET: 'shh',
      SLACK_INCIDENT_CHANNELS: 'on',
      STAKEHOLDER_SLACK_CHANNEL: '#status',
      STAKEHOLDER_EMAIL_TO: 'vp@example.com, support@example.com',
      UPDATE_CADENCE: 'SEV1=PT15M, sev3=P1D',
      REMINDER_TIME: '08:30',
      REMINDER_TZ: 'Europe/Berlin',
    });
    expect(set).toMatchObject({
      twilio: { accountSid: 'AC123', authToken: 'secret', from: '+15005550006', apiUrl: 'http://127.0.0.1:9999' },
      slackSigningSecret: 'shh',
      slackIncidentChannels: true,
      stakeholders: { slackChannel: '#status', emailTo: ['vp@example.com', 'support@example.com'] },
      updateCadence: { SEV1: 'PT15M', SEV3: 'P1D' },
      reminder: { time: '08:30', timeZone: 'Europe/Berlin' },
    });
  });

  it.each([
    ['UPDATE_CADENCE', 'SEV1=30m'],
    ['UPDATE_CADENCE', 'SEV5=PT1H'],
    ['UPDATE_CADENCE', 'SEV1=PT1H,SEV1=PT2H'],
    ['UPDATE_CADENCE', 'SEV1=PT'],
    ['REMINDER_TIME', '9:00'],
    ['REMINDER_TIME', '24:00'],
    ['REMINDER_TZ', 'Mars/Olympus'],
    ['SLACK_INCIDENT_CHANNELS', 'yes'],
    ['TWILIO_API_URL', 'ftp://twilio'],
    ['STAKEHOLDER_EMAIL_TO', 'not-an-address'],
    ['TIMER_POLL_MS', '5'],
    ['TIMER_POLL_MS', 'often'],
  ])('rejects %s=%s with a line naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });
});
