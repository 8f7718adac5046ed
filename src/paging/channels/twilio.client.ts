import type { AppConfig } from '../../config/config';
import { DeliveryError, SendAbandoned } from '../../notifications';

export type TwilioResource = 'Messages' | 'Calls';

/**
 * A small client of Twilio's 2010-04-01 REST API over fetch, so the base URL can point at a
 * local stub (TWILIO_API_URL). Creating a message or call: 201 = queued at Twilio. 429 and
 * 5xx are transient (retried with backoff by the dispatcher; a 5xx may have acted), any other
 * 4xx is permanent with Twilio's message and code as the reason. The auth token never leaves
 * the Authorization header.
 */
export class TwilioClient {
  private readonly inFlight = new Set<AbortController>();

  constructor(
    private readonly settings: AppConfig['twilio'],
    private readonly timeoutMs: number,
  ) {}

  get enabled(): boolean {
    return Boolean(this.settings.accountSid && this.settings.authToken && this.settings.from);
  }

  get disabledReason(): string {
    return 'Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)';
  }

  get from(): string {
    return this.settings.from ?? '';
  }

  get authToken(): string {
    return this.settings.authToken ?? '';
  }

  async create(resource: TwilioResource, fields: Record<string, string>): Promise<{ sid: string }> {
    const { accountSid, authToken, apiUrl } = this.settings;
    const url = `${apiUrl}/2010-04-01/Accounts/${encodeURIComponent(accountSid ?? '')}/${resource}.json`;
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error('timeout')), this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(fields).toString(),
        signal: controller.signal,
      });
    } catch (error) {
      if (controller.signal.reason instanceof SendAbandoned) throw controller.signal.reason;
      throw new DeliveryError('transient', `Twilio unreachable: ${(error as Error).message}`, {
        mayHaveSent: true,
        cause: error,
      });
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
    const text = await response.text().catch(() => '');
    let body: { sid?: string; code?: number; message?: string } = {};
    try {
      body = text ? (JSON.parse(text) as typeof body) : {};
    } catch {
      // not JSON (a proxy's page): the status decides
    }
    if (response.status >= 200 && response.status < 300) return { sid: body.sid ?? '' };
    const reason = `Twilio ${response.status}${body.code ? ` (${body.code})` : ''}: ${(body.message ?? text).slice(0, 500) || response.statusText}`;
    // 20429: too many concurrent requests, not processed, so a retry is safe.
    if (response.status === 429) throw new DeliveryError('transient', reason);
    if (response.status >= 500) throw new DeliveryError('transient', reason, { mayHaveSent: true });
    throw new DeliveryError('permanent', reason);
  }

  abort(): void {
    for (const controller of this.inFlight) controller.abort(new SendAbandoned());
  }
}
