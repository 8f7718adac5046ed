import { Controller, Get, Header, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.guard';
import { MESSAGE_TRANSPORT, MessageTransport } from '../messaging/message-transport';
import { OUTBOX_RELAY, OutboxRelay } from '../messaging/outbox-relay';
import { Metrics } from './metrics';

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<T>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

@ApiExcludeController()
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(OUTBOX_RELAY) private readonly relay: OutboxRelay,
    private readonly metrics: Metrics,
  ) {}

  /** The process is up. */
  @Get('healthz')
  @HttpCode(200)
  healthz() {
    return { status: 'ok' };
  }

  /** The database and the transports answer; 503 otherwise so a load balancer looks elsewhere. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply) {
    const [database, transport] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1'), 1500).then(
        () => 'ok',
        (err: Error) => `unreachable: ${err.message}`,
      ),
      // The shared transport and the relay's own producer (incident events stop without it).
      withTimeout(
        Promise.all([this.transport.isHealthy(), this.relay.transportHealthy()]).then(([a, b]) => a && b),
        1500,
      ).then(
        (healthy) => (healthy ? 'ok' : 'unreachable'),
        (err: Error) => `unreachable: ${err.message}`,
      ),
    ]);
    const checks = { database, transport: { kind: this.transport.kind, status: transport } };
    if (database === 'ok' && transport === 'ok') {
      void reply.status(200).send({ status: 'ready', checks });
      return;
    }
    const down = [database !== 'ok' && 'database', transport !== 'ok' && 'transport'].filter(Boolean);
    void reply
      .status(503)
      .header('Retry-After', '5')
      .send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `Not ready: ${down.join(' and ')} unreachable`,
        checks,
      });
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metricsText() {
    return this.metrics.registry.metrics();
  }
}
