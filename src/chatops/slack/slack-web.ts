import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebClient, LogLevel } from '@slack/web-api';
import { APP_CONFIG, AppConfig } from '../../config/config';
import { APP_LOGGER, AppLogger } from '../../platform/observability/logger';
import { SlackCallError } from './slack-call-error';

const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited', 'rate_limited']);
const CALL_TIMEOUT_MS = 10_000;

function classify(method: string, error: unknown): SlackCallError {
  if (error instanceof WebAPIRateLimitedError) {
    return new SlackCallError('rate_limited', 'ratelimited', `Slack ${method}: rate limited`, Math.max(1, error.retryAfter) * 1000);
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data?.error ?? 'unknown_error');
    if (code === 'ratelimited' || code === 'rate_limited') return new SlackCallError('rate_limited', code, `Slack ${method}: ${code}`, 1000);
    return new SlackCallError(TRANSIENT.has(code) ? 'transient' : 'permanent', code, `Slack ${method}: ${code}`, undefined, code === 'internal_error');
  }
  if (error instanceof WebAPIHTTPError) {
    const transient = error.statusCode >= 500 || error.statusCode === 408;
    return new SlackCallError(transient ? 'transient' : 'permanent', `http_${error.statusCode}`, `Slack ${method}: HTTP ${error.statusCode}`, undefined, error.statusCode >= 500);
  }
  if (error instanceof WebAPIRequestError) {
    const cause = (error.original as { cause?: { code?: string } })?.cause;
    const refused = cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND';
    return new SlackCallError('transient', cause?.code ?? 'request_failed', `Slack ${method}: ${error.original?.message ?? 'request failed'}`, undefined, !refused);
  }
  return new SlackCallError('transient', 'unknown', `Slack ${method}: ${error instanceof Error ? error.message : String(error)}`, undefined, true);
}

export interface SlackChannel {
  id: string;
  name: string;
  creator?: string;
}

/**
 * The Slack Web API calls chatops makes (channels, invites, history) and posts to a
 * command's `response_url`. The library's own retries are off: chat jobs own retries and
 * Retry-After, so a 429 never blocks a request thread.
 */
@Injectable()
export class SlackWeb implements OnModuleDestroy {
  private readonly client?: WebClient;
  private readonly shutdown = new AbortController();
  private botUser?: Promise<string | undefined>;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {
    if (!config.slack.botToken) return;
    const signal = this.shutdown.signal;
    this.client = new WebClient(config.slack.botToken, {
      slackApiUrl: config.slack.apiUrl,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: CALL_TIMEOUT_MS,
      logLevel: LogLevel.ERROR,
      fetch: (url, init) => globalThis.fetch(url, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal }),
    });
  }

  get enabled(): boolean {
    return this.client !== undefined;
  }

  onModuleDestroy(): void {
    this.shutdown.abort();
  }

  private async call<T>(method: string, args: Record<string, unknown>): Promise<T> {
    if (!this.client) throw new SlackCallError('permanent', 'not_configured', 'Slack is not configured (SLACK_BOT_TOKEN unset)');
    try {
      return (await this.client.apiCall(method, args)) as T;
    } catch (error) {
      throw classify(method, error);
    }
  }

  async createChannel(name: string): Promise<SlackChannel> {
    const result = await this.call<{ channel?: { id?: string; name?: string } }>('conversations.create', { name, is_private: false });
    if (!result.channel?.id) throw new SlackCallError('transient', 'no_channel', 'Slack conversations.create: no channel in the answer', undefined, true);
    return { id: result.channel.id, name: result.channel.name ?? name };
  }

  /** `already_in_channel` is success: the person is there, which is what we wanted. */
  async invite(channelId: string, userIds: string[]): Promise<void> {
    try {
      await this.call('conversations.invite', { channel: channelId, users: userIds.join(','), force: true });
    } catch (error) {
      if (error instanceof SlackCallError && error.code === 'already_in_channel') return;
      throw error;
    }
  }

  /** The bot's own user id (auth.test), to recognise channels it created. */
  async botUserId(): Promise<string | undefined> {
    this.botUser ??= this.call<{ user_id?: string }>('auth.test', {}).then(
      (r) => r.user_id,
      (error) => {
        this.botUser = undefined;
        throw error;
      },
    );
    return this.botUser;
  }

  /** A public channel by exact name (paged conversations.list), for a create whose answer was lost. */
  async findChannel(name: string): Promise<SlackChannel | undefined> {
    let cursor: string | undefined;
    for (let page = 0; page < 20; page++) {
      const result = await this.call<{ channels?: Array<{ id: string; name: string; creator?: string }>; response_metadata?: { next_cursor?: string } }>(
        'conversations.list',
        { types: 'public_channel', exclude_archived: true, limit: 1000, cursor },
      );
      const found = result.channels?.find((c) => c.name === name);
      if (found) return { id: found.id, name: found.name, creator: found.creator };
      cursor = result.response_metadata?.next_cursor || undefined;
      if (!cursor) return undefined;
    }
    return undefined;
  }

  /** The text of one message (conversations.history around its ts; a thread reply through replies). */
  async messageText(channelId: string, ts: string): Promise<string | undefined> {
    const history = await this.call<{ messages?: Array<{ ts?: string; text?: string }> }>('conversations.history', {
      channel: channelId,
      latest: ts,
      inclusive: true,
      limit: 1,
    });
    const found = history.messages?.find((m) => m.ts === ts);
    if (found) return found.text ?? '';
    // A thread reply is not in the channel's history; its thread is found from its own ts.
    const replies = await this.call<{ messages?: Array<{ ts?: string; text?: string }> }>('conversations.replies', {
      channel: channelId,
      ts,
      limit: 1000,
    }).catch((error: unknown) => {
      if (error instanceof SlackCallError && error.kind === 'permanent') return { messages: [] };
      throw error;
    });
    return replies.messages?.find((m) => m.ts === ts)?.text;
  }

  /** A message only `user` sees in `channel`; best effort (a courtesy, never worth a retry). */
  async postEphemeral(channel: string, user: string, text: string): Promise<void> {
    try {
      await this.call('chat.postEphemeral', { channel, user, text });
    } catch (error) {
      this.logger.debug({ err: error }, 'Slack chat.postEphemeral failed');
    }
  }

  /**
   * Posts a follow-up to a command's or click's `response_url` (JSON; no token needed; Slack
   * takes 5 within 30 minutes). Failures are logged, never thrown: the answer already went out.
   */
  async respond(responseUrl: string, body: object): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(responseUrl);
    } catch {
      return false;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([AbortSignal.timeout(CALL_TIMEOUT_MS), this.shutdown.signal]),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) this.logger.warn({ status: response.status }, 'Slack refused a response_url post');
      return response.ok;
    } catch (error) {
      this.logger.warn({ err: error }, 'Slack response_url post failed');
      return false;
    }
  }
}
