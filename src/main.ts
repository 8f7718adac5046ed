import { ConfigError, loadConfig } from './config/config';
import { closeGracefully, createApp } from './bootstrap';
import { checkNotificationConfig } from './notifications';
import { createLogger } from './platform/observability/logger';

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
  const app = await createApp(config, { logger });
  await app.listen({ port: config.port, host: '0.0.0.0' });
  logger.info({ port: config.port, url: config.publicUrl }, `Sitrep listening on port ${config.port}`);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      closeGracefully(app).then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`Sitrep failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
