import {
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
} from '@slack/web-api';
import type { Logger as SlackLogger } from '@slack/web-api';
import type { AppLogger } from '../../platform/observability/logger';
import { DeliveryError, SendAbandoned } from './delivery-error';
import type { SlackBlock } from './slack-message';

/** Slack `ok:false` errors worth another try; every other one is permanent (channel_not_found, …). */
const TRANSIENT_PLATFORM_ERRORS = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
const RATE_LIMIT_PLATFORM_ERRORS = new Set(['ratelimited', 'rate_limited']);

/** Marks our messages (Slack message metadata) so a retry can tell whether an earlier try got through. */
export const METADATA_EVENT_TYPE = 'sitrep_notification';

export interface PostArgs {
  channel: string;
  text: string;
  blocks: SlackBlock[];
  threadTs?: string;
  /** The job's uid, carried in the message metadata. */
  jobUid: string;
  incidentId?: string;
}

export interface Posted {
  channel: string;
  ts: string;
}

function slackLogger(logger: AppLogger): SlackLogger {
  const log = logger.child({ component: 'slack-web-api' });
  const join = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : JSON.stringify(m))).join(' ');
  return {
    debug: (...msg) => log.debug(join(msg)),
    info: (...msg) => log.debug(join(msg)),
    warn: (...msg) => log.debug(join(msg)),
    error: (...msg) => log.warn(join(msg)),
    setLevel: () => undefined,
    getLevel: () => LogLevel.DEBUG,
    setName: () => undefined,
  };
}

/** Maps anything @slack/web-api throws to a DeliveryError (or SendAbandoned at shutdown). */
export function classifySlackError(method: string, error: unknown, abandoned = false): Error {
  if (abandoned) return new SendAbandoned();
  if (error instanceof WebAPIRateLimitedError) {
    return new DeliveryError('rate_limited', `Slack ${method}: rate limited (Retry-After ${error.retryAfter} s)`, {
      retryAfterMs: Math.max(1, error.retryAfter) * 1000,
    });
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data?.error ?? 'unknown_error');
    if (RATE_LIMIT_PLATFORM_ERRORS.has(code)) {
      return new DeliveryError('rate_limited', `Slack ${method}: ${code}`, { retryAfterMs: 1000 });
    }
    const kind = TRANSIENT_PLATFORM_ERRORS.has(code) ? 'transient' : 'permanent';
    return new DeliveryError(kind, `Slack ${method}: ${code}`, { mayHaveSent: code !== 'request_timeout', cause: error });
  }
  if (error instanceof WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 408;
    return new DeliveryError(transient ? 'transient' : 'permanent', `Slack ${method}: HTTP ${error.statusCode}`, {
      mayHaveSent: error.statusCode >= 500,
      cause: error,
    });
  }
  if (error instanceof WebAPIRequestError) {
    const cause = (error.original as { cause?: { code?: string } })?.cause;
    const refused = cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND';
    const timedOut = error.original?.name === 'TimeoutError';
    return new DeliveryError('transient', `Slack ${method}: ${timedOut ? 'timed out' : error.original?.message ?? 'request failed'}${cause?.code ? ` (${cause.code})` : ''}`, {
      mayHaveSent: !refused,
      cause: error,
    });
  }
  return new DeliveryError('transient', `Slack ${method}: ${error instanceof Error ? error.message : String(error)}`, {
    mayHaveSent: true,
    cause: error,
  });
}

/**
 * The Slack Web API as the dispatcher uses it. The library's own retries are off (the
 * dispatcher owns retries, backoff and Retry-After), every call has a timeout, and shutdown
 * can abort calls in flight.
 */
export class SlackClient {
  private readonly client?: WebClient;
  private readonly shutdown = new AbortController();

  constructor(
    settings: { botToken?: string; apiUrl: string },
    timeoutMs: number,
    logger: AppLogger,
  ) {
    if (!settings.botToken) return;
    const signal = this.shutdown.signal;
    this.client = new WebClient(settings.botToken, {
      slackApiUrl: settings.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: timeoutMs,
      logger: slackLogger(logger),
      fetch: (url, init) => globalThis.fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  /** Aborts every call in flight (shutdown): they end in SendAbandoned. */
  abort(): void {
    this.shutdown.abort();
  }

  private async call<T>(method: string, args: Record<string, unknown>): Promise<T> {
    if (!this.client) throw new DeliveryError('permanent', 'Slack is not configured (SLACK_BOT_TOKEN unset)');
    try {
      return (await this.client.apiCall(method, args)) as T;
    } catch (error) {
      throw classifySlackError(method, error, this.shutdown.signal.aborted);
    }
  }

  async post(args: PostArgs): Promise<Posted> {
    const result = await this.call<{ channel?: string; ts?: string }>('chat.postMessage', {
      channel: args.channel,
      text: args.text,
      blocks: args.blocks,
      thread_ts: args.threadTs,
      unfurl_links: false,
      unfurl_media: false,
      metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { job: args.jobUid, incident: args.incidentId } },
    });
    if (!result.ts) throw new DeliveryError('transient', 'Slack chat.postMessage: no ts in the response', { mayHaveSent: true });
    return { channel: result.channel ?? args.channel, ts: result.ts };
  }

  async update(args: { channel: string; ts: string; text: string; blocks: SlackBlock[] }): Promise<void> {
    await this.call('chat.update', args);
  }

  /** The id of the bot's DM channel with a user (conversations.open; needs im:write). */
  async openDm(user: string): Promise<string> {
    const result = await this.call<{ channel?: { id?: string } }>('conversations.open', { users: user });
    const id = result.channel?.id;
    if (!id) throw new DeliveryError('transient', 'Slack conversations.open: no channel in the response');
    return id;
  }

  /**
   * Looks for a message this job posted before (its uid in the metadata) in a channel or a
   * thread since `oldest` (epoch seconds). Needs the history scopes; any failure answers
   * undefined (the caller then posts, at least once).
   */
  async findPosted(channelId: string, jobUid: string, oldest: number, threadTs?: string): Promise<string | undefined> {
    try {
      const args = { channel: channelId, oldest: oldest.toFixed(6), limit: 200, include_all_metadata: true, inclusive: true };
      const result = await this.call<{ messages?: Array<{ ts?: string; metadata?: { event_type?: string; event_payload?: { job?: unknown } } }> }>(
        threadTs ? 'conversations.replies' : 'conversations.history',
        threadTs ? { ...args, ts: threadTs } : args,
      );
      const found = (result.messages ?? []).find(
        (m) => m.metadata?.event_type === METADATA_EVENT_TYPE && m.metadata.event_payload?.job === jobUid,
      );
      return found?.ts;
    } catch (error) {
      if (error instanceof SendAbandoned) throw error;
      return undefined;
    }
  }
}
