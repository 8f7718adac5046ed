import { ConfigError, loadConfig } from './config/config';
import { closeGracefully, createApp } from './bootstrap';
import { checkNotificationConfig } from './notifications';
import { createLogger } from './platform/observability/logger';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
    checkNotificationConfig(config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // Taken before boot: the embedded database is started during it and left to this process to
  // stop (see embedded-postgres.ts), so a signal that arrives meanwhile waits for boot to end.
  let app: NestFastifyApplication | undefined = undefined; // set once boot ends
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping || !app) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    closeGracefully(app).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  let signalled: string | undefined;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signalled ??= signal;
      stop(signal);
    });
  }
  app = await createApp(config, { logger });
  if (signalled) return stop(signalled);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info({ port: config.port, url: config.publicUrl }, `Sitrep listening on port ${config.port}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Sitrep failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
