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
  // stop (see embedded-postgres.ts), so a first signal that arrives meanwhile waits for boot to
  // end; a second one (a boot stuck, say, behind another instance's migration lock) exits now.
  let app: NestFastifyApplication | undefined = undefined; // set once boot ends
  let signalled: string | undefined;
  let stopping = false;
  const stop = (running: NestFastifyApplication, signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    closeGracefully(running).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (app) return stop(app, signal);
      if (signalled) {
        logger.warn({ signal }, 'second signal while booting; exiting without a graceful stop');
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      signalled = signal;
      logger.info({ signal }, 'signal while booting; stopping once boot ends');
    });
  }
  app = await createApp(config, { logger });
  if (signalled) return stop(app, signalled);
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info({ port: config.port, url: config.publicUrl }, `Sitrep listening on port ${config.port}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Sitrep failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
