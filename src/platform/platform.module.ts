import { DynamicModule, Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../config/config';
import { MESSAGE_TRANSPORT, MessageTransport } from './messaging/message-transport';
import { OUTBOX_RELAY, type OutboxRelay } from './messaging/outbox-relay';
import { APP_LOGGER, AppLogger } from './observability/logger';
import { Metrics } from './observability/metrics';
import { HealthController } from './observability/health.controller';
import { Timers } from './timers';

export interface PlatformDeps {
  config: AppConfig;
  dataSource: DataSource;
  transport: MessageTransport;
  relay: OutboxRelay;
  /** What the relay publishes on: its own with Kafka, else `transport` (stopped after the relay). */
  relayTransport: MessageTransport;
  logger: AppLogger;
  metrics: Metrics;
  /** Called last on shutdown (stops the embedded database). */
  onClosed?: () => Promise<void>;
}

const PLATFORM_DEPS = Symbol('PLATFORM_DEPS');

/** Shares the process-wide resources built at boot with every module. */
@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  static register(deps: PlatformDeps): DynamicModule {
    const providers = [
      { provide: PLATFORM_DEPS, useValue: deps },
      { provide: APP_CONFIG, useValue: deps.config },
      { provide: DataSource, useValue: deps.dataSource },
      { provide: MESSAGE_TRANSPORT, useValue: deps.transport },
      { provide: OUTBOX_RELAY, useValue: deps.relay },
      { provide: APP_LOGGER, useValue: deps.logger },
      { provide: Metrics, useValue: deps.metrics },
      {
        provide: Timers,
        useFactory: (config: AppConfig, dataSource: DataSource, logger: AppLogger, metrics: Metrics) =>
          new Timers(dataSource, logger, metrics, { pollMs: config.timerPollMs }),
        inject: [APP_CONFIG, DataSource, APP_LOGGER, Metrics],
      },
    ];
    return {
      module: PlatformModule,
      controllers: [HealthController],
      providers,
      exports: providers.map((p) => p.provide),
    };
  }

  constructor(
    @Inject(PLATFORM_DEPS) private readonly deps: PlatformDeps,
    private readonly timers: Timers,
  ) {}

  /**
   * Runs after the HTTP server stopped accepting and drained: timers (a fire in flight ends
   * first; they normally stopped already with their module), relay, consumers, producer, pool.
   */
  async onApplicationShutdown(): Promise<void> {
    const { relay, relayTransport, transport, dataSource, logger, onClosed } = this.deps;
    await this.timers.stop().catch((err) => logger.error({ err }, 'timers stop failed'));
    await relay.stop().catch((err) => logger.error({ err }, 'outbox relay stop failed'));
    if (relayTransport !== transport) {
      await relayTransport.stop().catch((err) => logger.error({ err }, 'relay transport stop failed'));
    }
    await transport.stop().catch((err) => logger.error({ err }, 'transport stop failed'));
    if (dataSource.isInitialized) {
      await dataSource.destroy().catch((err) => logger.error({ err }, 'database pool close failed'));
    }
    await onClosed?.().catch((err) => logger.error({ err }, 'embedded database stop failed'));
  }
}
