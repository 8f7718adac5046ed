import * as path from 'node:path';

export const SEVERITIES = ['SEV1', 'SEV2', 'SEV3', 'SEV4'] as const;
export type ConfiguredSeverity = (typeof SEVERITIES)[number];

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** KAFKA_PARTITIONS: partitions of each topic Sitrep creates (an existing topic keeps its own). */
  partitions: number;
}

/** The whole service's configuration: one typed object, validated once at boot. */
export interface AppConfig {
  port: number;
  /** Unset means an embedded PostgreSQL with its data under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Unset means the in-process transport. */
  kafka?: KafkaConfig;
  topicPrefix: string;
  adminToken?: string;
  slack: { botToken?: string; channel: string; apiUrl: string };
  email: { smtpUrl?: string; from?: string; notifyTo: string[] };
  notifyMinSeverity: ConfiguredSeverity;
  /** NOTIFY_RULES_FILE: a JSON rules file notifications reads at boot; unset = the default rules. */
  notifyRulesFile?: string;
  /** First retry backoff of a notification (NOTIFY_RETRY_BASE_MS) and one send's timeout (NOTIFY_SEND_TIMEOUT_MS). */
  notifyRetryBaseMs: number;
  notifySendTimeoutMs: number;
  ackTimeoutSeconds: number;
  /** How often each instance looks for due timer rows (TIMER_POLL_MS); sooner when one is due sooner. */
  timerPollMs: number;
  ingestBodyLimit: number;
  apiBodyLimit: number;
  publicUrl: string;
  logLevel: LogLevel;
  /** SMS and voice through Twilio's REST API; unset account SID = off. */
  twilio: { accountSid?: string; authToken?: string; from?: string; apiUrl: string };
  /** Slack's inbound requests (commands, interactions, events); unset = those endpoints answer 503. */
  slackSigningSecret?: string;
  /** SLACK_INCIDENT_CHANNELS=on: a channel per incident at or above notifyMinSeverity. */
  slackIncidentChannels: boolean;
  stakeholders: { slackChannel?: string; emailTo: string[] };
  /** UPDATE_CADENCE as given (`SEV1=PT30M,SEV2=PT1H`), checked for shape; follow-through reads it. */
  updateCadence: Partial<Record<ConfiguredSeverity, string>>;
  /** When the daily action-item digest goes out: `HH:MM` in an IANA zone. */
  reminder: { time: string; timeZone: string };
}

/** Thrown for an invalid environment; its message is the one line start-up prints. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function text(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  }
  return value;
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(', ')}), got an unparseable value`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

function brokers(env: Env, name: string): string[] | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((b) => b.trim()).filter(Boolean);
  for (const broker of list) {
    const match = /^([A-Za-z0-9.\-_]+|\[[0-9a-fA-F:]+\]):(\d{1,5})$/.exec(broker);
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new ConfigError(name, `must be a comma list of host:port, got "${broker}"`);
    }
  }
  if (list.length === 0) throw new ConfigError(name, 'must name at least one host:port');
  return list;
}

function emailList(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  const list = raw.split(',').map((a) => a.trim()).filter(Boolean);
  for (const address of list) {
    if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address)) {
      throw new ConfigError(name, `must be a comma list of email addresses, got "${address}"`);
    }
  }
  return list;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  const upper = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (!upper) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`);
  return upper;
}

/** Builds the configuration from an environment; throws ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const kafkaBrokers = brokers(env, 'KAFKA_BROKERS');
  const kafkaPartitions = integer(env, 'KAFKA_PARTITIONS', 16, 1, 1000);
  const slackApiUrl = url(env, 'SLACK_API_URL', ['http:', 'https:']) ?? 'https://slack.com/api/';
  return {
    port,
    databaseUrl: url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
    dataDir: path.resolve(text(env, 'SITREP_DATA_DIR') ?? '.data'),
    kafka: kafkaBrokers
      ? {
          brokers: kafkaBrokers,
          clientId: text(env, 'KAFKA_CLIENT_ID') ?? 'sitrep',
          partitions: kafkaPartitions,
        }
      : undefined,
    topicPrefix: env.KAFKA_TOPIC_PREFIX ?? 'sitrep.',
    adminToken: adminToken(env),
    slack: {
      botToken: text(env, 'SLACK_BOT_TOKEN'),
      channel: text(env, 'SLACK_CHANNEL') ?? '#incidents',
      apiUrl: slackApiUrl.endsWith('/') ? slackApiUrl : `${slackApiUrl}/`,
    },
    email: {
      smtpUrl: url(env, 'SMTP_URL', ['smtp:', 'smtps:']),
      from: text(env, 'EMAIL_FROM'),
      notifyTo: emailList(env, 'NOTIFY_EMAIL_TO'),
    },
    notifyMinSeverity: oneOf(env, 'NOTIFY_MIN_SEVERITY', SEVERITIES, 'SEV2'),
    notifyRulesFile: text(env, 'NOTIFY_RULES_FILE'),
    notifyRetryBaseMs: integer(env, 'NOTIFY_RETRY_BASE_MS', 5000, 1, 3_600_000),
    notifySendTimeoutMs: integer(env, 'NOTIFY_SEND_TIMEOUT_MS', 15000, 100, 600_000),
    ackTimeoutSeconds: integer(env, 'ACK_TIMEOUT', 300, 1, 7 * 24 * 3600),
    timerPollMs: integer(env, 'TIMER_POLL_MS', 1000, 10, 60_000),
    ingestBodyLimit: integer(env, 'INGEST_BODY_LIMIT', 16 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    apiBodyLimit: 1024 * 1024,
    publicUrl: (url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: oneOf<LogLevel>(
      env,
      'LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
      'info',
    ),
    twilio: {
      accountSid: text(env, 'TWILIO_ACCOUNT_SID'),
      authToken: text(env, 'TWILIO_AUTH_TOKEN'),
      from: text(env, 'TWILIO_FROM'),
      apiUrl: (url(env, 'TWILIO_API_URL', ['http:', 'https:']) ?? 'https://api.twilio.com').replace(/\/$/, ''),
    },
    slackSigningSecret: text(env, 'SLACK_SIGNING_SECRET'),
    slackIncidentChannels: oneOf(env, 'SLACK_INCIDENT_CHANNELS', ['on', 'off'], 'off') === 'on',
    stakeholders: {
      slackChannel: text(env, 'STAKEHOLDER_SLACK_CHANNEL'),
      emailTo: emailList(env, 'STAKEHOLDER_EMAIL_TO'),
    },
    updateCadence: cadence(env, 'UPDATE_CADENCE', 'SEV1=PT30M,SEV2=PT1H'),
    reminder: {
      time: clockTime(env, 'REMINDER_TIME', '09:00'),
      timeZone: timeZone(env, 'REMINDER_TZ', 'UTC'),
    },
  };
}

/** `SEV1=PT30M,SEV2=PT1H`: each severity at most once, each value an ISO 8601 duration of at least a second. */
function cadence(env: Env, name: string, fallback: string): Partial<Record<ConfiguredSeverity, string>> {
  const raw = text(env, name) ?? fallback;
  const result: Partial<Record<ConfiguredSeverity, string>> = {};
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(SEV[1-4])=(P(?:\d+W|(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?))$/i.exec(part);
    if (!match || match[2].endsWith('T') || match[2] === 'P') {
      throw new ConfigError(name, `must be a comma list of SEVn=<ISO 8601 duration>, got "${part}"`);
    }
    const severity = match[1].toUpperCase() as ConfiguredSeverity;
    if (result[severity]) throw new ConfigError(name, `names ${severity} twice`);
    result[severity] = match[2].toUpperCase();
  }
  return result;
}

function clockTime(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(raw)) throw new ConfigError(name, `must be HH:MM (24-hour), got "${raw}"`);
  return raw;
}

function timeZone(env: Env, name: string, fallback: string): string {
  const raw = text(env, name) ?? fallback;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(name, `must be an IANA time zone such as Europe/Berlin, got "${raw}"`);
  }
  return raw;
}

function adminToken(env: Env): string | undefined {
  const token = text(env, 'SITREP_ADMIN_TOKEN');
  if (token !== undefined && token.length < 16) {
    throw new ConfigError('SITREP_ADMIN_TOKEN', 'must be at least 16 characters long');
  }
  return token;
}

/** Injection token for AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');
