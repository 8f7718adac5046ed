import { Inject } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { isUuid } from '../platform/http/uuid';
import { bearerToken } from '../platform/auth/auth.guard';
import { TokenService } from '../platform/auth/token.service';
import { APP_LOGGER, AppLogger } from '../platform/observability/logger';
import { DEFAULT_SLOW_CLIENT_POLICY, TimelineClient } from './timeline-client';
import { TimelineFanout } from './timeline-fanout.consumer';
import {
  ALL_INCIDENTS,
  SubscriptionAck,
  SubscriptionErrorCode,
  TIMELINE_NAMESPACE,
  TIMELINE_PATH,
  TimelineNamespace,
  TimelineSocket,
} from './timeline.events';
import { TimelineMetrics } from './timeline.metrics';
import { MAX_SEQ, TimelineReader } from './timeline.reader';

/** Incident subscriptions one socket may hold (besides `*`). */
export const MAX_SUBSCRIPTIONS_PER_SOCKET = 100;

/**
 * How long a `*` subscription waits for a starting instance's tail to become live before it is
 * refused with UNAVAILABLE; below the web UI's 10 s acknowledgement timeout.
 */
export const LIVE_TAIL_WAIT_MS = 8000;

type AckFn = ((result: SubscriptionAck) => void) | undefined;

class RequestError extends Error {
  constructor(
    readonly code: SubscriptionErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A handshake refusal: the client gets `connect_error` with this message and `data: {code, message}`. */
function refusal(code: string, message: string, title = 'Unauthorized'): Error {
  return Object.assign(new Error(title), { data: { code, message } });
}

/**
 * The live timeline over socket.io (namespace /timeline). Any valid token may connect;
 * `subscribe {incidentId, after?}` replays the log after `after` and then follows the live
 * tail; `*` follows every incident live with `incident` snapshots.
 */
@WebSocketGateway({ path: TIMELINE_PATH, namespace: TIMELINE_NAMESPACE })
export class TimelineGateway
  implements OnGatewayInit<TimelineNamespace>, OnGatewayConnection<TimelineSocket>, OnGatewayDisconnect<TimelineSocket>
{
  private readonly clients = new Map<string, TimelineClient>();

  constructor(
    private readonly tokens: TokenService,
    private readonly reader: TimelineReader,
    private readonly fanout: TimelineFanout,
    private readonly metrics: TimelineMetrics,
    @Inject(APP_LOGGER) private readonly logger: AppLogger,
  ) {}

  afterInit(namespace: TimelineNamespace): void {
    this.fanout.attach(namespace);
    namespace.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (error: Error) => next(error),
      );
    });
    // Nothing is served on the default namespace: refuse it rather than hold idle sockets.
    namespace.server.use((_socket, next) =>
      next(refusal('WRONG_NAMESPACE', `Connect to the ${TIMELINE_NAMESPACE} namespace`, 'Invalid namespace')),
    );
  }

  /** `auth: {token}` in the handshake, or an `Authorization: Bearer` header; any role. */
  private async authenticate(socket: TimelineSocket): Promise<void> {
    const auth = socket.handshake.auth as { token?: unknown } | undefined;
    const token = typeof auth?.token === 'string' ? auth.token : bearerToken(socket.handshake.headers.authorization);
    if (!token) throw refusal('AUTH_REQUIRED', 'Send auth: {token} in the handshake');
    let principal;
    try {
      principal = await this.tokens.verify(token);
    } catch (error) {
      this.logger.error({ err: error }, 'Timeline handshake could not verify a token');
      throw refusal('UNAVAILABLE', 'Tokens cannot be checked right now; try again shortly', 'Unavailable');
    }
    if (!principal) throw refusal('AUTH_INVALID', 'The token is not valid');
    socket.data.principal = principal;
  }

  handleConnection(socket: TimelineSocket): void {
    const client = new TimelineClient(socket, DEFAULT_SLOW_CLIENT_POLICY, {
      sent: (count) => this.metrics.entriesEmitted.inc(count),
      cut: (cut, reason, error) => {
        this.fanout.detach(cut);
        this.metrics.clientsCut.inc();
        const fields = { socketId: cut.id, actor: socket.data.principal?.name, reason };
        if (error)
          this.logger.error({ ...fields, err: error }, 'Timeline client disconnected: its subscription failed');
        else this.logger.warn(fields, 'Timeline client disconnected: too slow');
      },
    });
    this.clients.set(socket.id, client);
    this.metrics.connectedClients.inc();
  }

  handleDisconnect(socket: TimelineSocket): void {
    const client = this.clients.get(socket.id);
    if (!client) return;
    this.clients.delete(socket.id);
    client.close();
    this.fanout.detach(client);
    this.metrics.connectedClients.dec();
  }

  @SubscribeMessage('subscribe')
  async subscribe(
    @ConnectedSocket() socket: TimelineSocket,
    @MessageBody() body: unknown,
    @Ack() ack: AckFn,
  ): Promise<void> {
    const client = this.clients.get(socket.id);
    if (!client) return;
    await client.serially(async () => {
      try {
        const { incidentId, after } = parseSubscribe(body);
        if (client.closed) return;
        if (incidentId === ALL_INCIDENTS) {
          // `*` has no replay, so its acknowledgement means "every entry from now on": on an
          // instance whose tail is still joining it waits (a board loads its list after the ack).
          if (!(await this.fanout.whenLive(LIVE_TAIL_WAIT_MS))) {
            throw new RequestError('UNAVAILABLE', 'This instance is still joining the live event stream; try again');
          }
          if (client.closed) return;
          this.fanout.subscribeEverything(client);
          reply(ack, { ok: true });
          return;
        }
        if (!client.subscriptions.has(incidentId) && client.subscriptions.size >= MAX_SUBSCRIPTIONS_PER_SOCKET) {
          throw new RequestError(
            'TOO_MANY_SUBSCRIPTIONS',
            `A connection may follow at most ${MAX_SUBSCRIPTIONS_PER_SOCKET} incidents`,
          );
        }
        if (!(await this.exists(incidentId)))
          throw new RequestError('INCIDENT_NOT_FOUND', `No incident with id ${incidentId}`);
        if (client.closed) return;
        // Registered before the replay reads the log, and acknowledged before anything is sent.
        const subscription = this.fanout.subscribe(client, incidentId, after);
        reply(ack, { ok: true });
        subscription.start();
      } catch (error) {
        reply(ack, failure(error));
      }
    });
  }

  @SubscribeMessage('unsubscribe')
  async unsubscribe(
    @ConnectedSocket() socket: TimelineSocket,
    @MessageBody() body: unknown,
    @Ack() ack: AckFn,
  ): Promise<void> {
    const client = this.clients.get(socket.id);
    if (!client) return;
    await client.serially(async () => {
      try {
        const incidentId = parseIncidentId(body);
        if (incidentId === ALL_INCIDENTS) this.fanout.unsubscribeEverything(client);
        else this.fanout.unsubscribe(client, incidentId);
        reply(ack, { ok: true });
      } catch (error) {
        reply(ack, failure(error));
      }
    });
  }

  private async exists(incidentId: string): Promise<boolean> {
    try {
      return await this.reader.exists(incidentId);
    } catch (error) {
      this.logger.error({ err: error, incidentId }, 'Timeline subscription could not read the incident');
      throw new RequestError('UNAVAILABLE', 'The timeline cannot be read right now; try again');
    }
  }
}

function reply(ack: AckFn, result: SubscriptionAck): void {
  if (typeof ack === 'function') ack(result);
}

function failure(error: unknown): SubscriptionAck {
  if (error instanceof RequestError) return { ok: false, code: error.code, error: error.message };
  return { ok: false, code: 'UNAVAILABLE', error: 'The request failed; try again' };
}

function parseIncidentId(body: unknown): string {
  const incidentId = (body as { incidentId?: unknown } | null)?.incidentId;
  if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof incidentId !== 'string') {
    throw new RequestError('INVALID_REQUEST', 'incidentId: must be an incident id or "*"');
  }
  if (incidentId !== ALL_INCIDENTS && !isUuid(incidentId)) {
    // Not a UUID cannot name an incident: the same answer as an unknown one.
    throw new RequestError('INCIDENT_NOT_FOUND', `No incident with id ${incidentId}`);
  }
  return incidentId.toLowerCase();
}

function parseSubscribe(body: unknown): { incidentId: string; after: number } {
  const incidentId = parseIncidentId(body);
  const after = (body as { after?: unknown }).after;
  if (after === undefined || after === null) return { incidentId, after: 0 };
  if (typeof after !== 'number' || !Number.isInteger(after) || after < 0 || after > MAX_SEQ) {
    throw new RequestError('INVALID_REQUEST', `after: must be a whole number from 0 to ${MAX_SEQ}`);
  }
  return { incidentId, after };
}
