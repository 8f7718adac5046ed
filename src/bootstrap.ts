import { migrations } from './migrations';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { DataSource } from 'typeorm';
import { AppConfig } from './config/config';
import { AppModule } from './app.module';
import { createDataSource, migrateUnderLock } from './platform/database/data-source';
import { EmbeddedDatabase, startEmbeddedPostgres } from './platform/database/embedded-postgres';
import { createTransport } from './platform/messaging';
import type { MessageTransport } from './platform/messaging/message-transport';
import { OutboxRelay } from './platform/messaging/outbox-relay';
import { IncidentOutbox } from './incidents';
import { IntegrationTypes } from './platform/auth/integration-types';
import { documentIntegrationTypes } from './platform/auth/integrations.controller';
import { ErrorFilter } from './platform/http/error.filter';
import { createValidationPipe, RejectUnstorableText } from './platform/http/validation';
import { AppLogger, createLogger, NestPinoLogger } from './platform/observability/logger';
import { Metrics } from './platform/observability/metrics';
import { TimelineIoAdapter } from './timeline/timeline-io.adapter';

export interface BootOptions {
  logger?: AppLogger;
}

const INGEST_PREFIXES = ['/api/v1/alerts', '/v2/'];
/** Routes that take form bodies (Slack, Twilio callbacks, the acknowledge page's button). */
const FORM_PREFIXES = ['/api/v1/slack/', '/api/v1/twilio/', '/ack/'];
const DRAIN_TIMEOUT_MS = 15000;
const drains = new WeakMap<NestFastifyApplication, () => Promise<void>>();

/**
 * Counts requests in flight so that shutdown can wait for them; while draining, new requests
 * get a 503 with Retry-After (an alert source retries it elsewhere or later).
 */
function trackInFlight(fastify: FastifyInstance): () => Promise<void> {
  let inFlight = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (draining) {
      void reply
        .code(503)
        .header('Retry-After', '5')
        .header('Connection', 'close')
        .send({ statusCode: 503, error: 'Service Unavailable', message: 'Shutting down; retry on another instance' });
      return;
    }
    inFlight++;
    reply.raw.once('close', () => {
      inFlight--;
      if (draining && inFlight === 0) idle?.();
    });
    done();
  });
  return async () => {
    draining = true;
    if (inFlight === 0) return;
    await new Promise<void>((resolve) => {
      idle = resolve;
      setTimeout(resolve, DRAIN_TIMEOUT_MS).unref();
    });
  };
}

/** Builds a ready-to-listen Sitrep instance: database, migrations, transport, HTTP. */
export async function createApp(config: AppConfig, options: BootOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let embedded: EmbeddedDatabase | undefined;
  let dataSource: DataSource | undefined;
  const started: MessageTransport[] = [];
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, (line) =>
        logger.debug({ component: 'embedded-postgres' }, line),
      );
      databaseUrl = embedded.url;
    }
    logger.info(
      { database: embedded ? 'embedded' : 'external', transport: config.kafka ? 'kafka' : 'in-process' },
      embedded || !config.kafka
        ? `Running in embedded mode: ${embedded ? `embedded PostgreSQL (data in ${config.dataDir})` : 'external PostgreSQL'}, ${config.kafka ? 'Kafka' : 'in-process transport'}`
        : 'Running with external PostgreSQL and Kafka',
    );
    dataSource = createDataSource(databaseUrl, migrations);
    await dataSource.initialize();
    const applied = await migrateUnderLock(dataSource);
    if (applied.length) logger.info({ migrations: applied }, 'database migrated');

    const transport = createTransport(config, dataSource, logger);
    started.push(transport);
    await transport.start();
    // With Kafka the relay publishes on a producer of its own: an alert source's 202 waits for
    // its own records only, never behind a batch of incident events in flight (one request at a
    // time per producer keeps each key in order; the two never share a topic). In-process, every
    // insert takes one advisory lock anyway, so a second transport would buy nothing.
    const relayTransport = config.kafka ? createTransport(config, dataSource, logger) : transport;
    if (relayTransport !== transport) {
      started.push(relayTransport);
      await relayTransport.start();
    }
    const relay = new OutboxRelay(dataSource, relayTransport, new IncidentOutbox(), logger);
    const metrics = new Metrics();

    const adapter = new FastifyAdapter({
      bodyLimit: Math.max(config.ingestBodyLimit, config.apiBodyLimit),
      forceCloseConnections: 'idle',
    });
    const fastify = adapter.getInstance();
    fastify.addHook('onRoute', (route) => {
      const ingest = INGEST_PREFIXES.some((p) => route.url.startsWith(p));
      route.bodyLimit = ingest ? config.ingestBodyLimit : config.apiBodyLimit;
    });
    // Only JSON is accepted; anything else is a 415 rather than a string reaching a handler.
    fastify.removeContentTypeParser('text/plain');
    const drain = trackInFlight(fastify);
    fastify.addHook('onResponse', (request, reply, done) => {
      metrics.httpDuration.observe(
        {
          method: request.method,
          route: request.routeOptions.url ?? 'unmatched',
          status_code: String(reply.statusCode),
        },
        reply.elapsedTime / 1000,
      );
      done();
    });

    const ds = dataSource;
    const app = await NestFactory.create<NestFastifyApplication>(
      AppModule.register({
        config,
        dataSource: ds,
        transport,
        relay,
        relayTransport,
        logger,
        metrics,
        onClosed: async () => {
          await embedded?.stop();
        },
      }),
      adapter,
      { rawBody: true, bodyParser: false, logger: new NestPinoLogger(logger), abortOnError: false },
    );
    // Registered without a limit of its own, so each route's bodyLimit (API vs ingest) applies.
    const parseJson = fastify.getDefaultJsonParser('error', 'error');
    app.useBodyParser('application/json', {}, (request, body, done) =>
      parseJson(request as never, body as never, done),
    );
    // Slack, Twilio and the acknowledge page post forms; their signatures are checked on
    // request.rawBody. Every other route stays JSON-only (415), as the contract says.
    app.useBodyParser('application/x-www-form-urlencoded', {}, (request, body, done) => {
      const url = (request as { url?: string }).url ?? '';
      if (!FORM_PREFIXES.some((p) => url.startsWith(p))) {
        done(
          Object.assign(new Error(`Unsupported Media Type: application/x-www-form-urlencoded`), {
            statusCode: 415,
            code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
          }),
          undefined,
        );
        return;
      }
      done(null, Object.fromEntries(new URLSearchParams((body as Buffer).toString('utf8'))));
    });
    app.useGlobalFilters(new ErrorFilter(logger));
    app.useGlobalPipes(new RejectUnstorableText(), createValidationPipe());
    app.useWebSocketAdapter(new TimelineIoAdapter(app));

    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Sitrep')
        .setDescription('Incident management: alert ingestion, incident command, live timeline, postmortems.')
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    documentIntegrationTypes(document, app.get(IntegrationTypes).names());
    SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
    await app.init();
    await relay.start();
    drains.set(app, drain);
    return app;
  } catch (error) {
    for (const transport of started) await transport.stop().catch(() => undefined);
    await dataSource?.destroy().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
}

/**
 * Stops in the order that loses nothing: stop accepting and let in-flight requests finish,
 * then stop consumers, the outbox relay and the transports (with Kafka, the relay's producer
 * after the relay), then close the pool.
 */
export async function closeGracefully(app: NestFastifyApplication): Promise<void> {
  await drains.get(app)?.();
  await app.close();
}
