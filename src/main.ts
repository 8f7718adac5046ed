import { ConfigError, loadConfig } from './config/config';
import { createApp } from './bootstrap';
import { createLogger } from './platform/observability/logger';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
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
  // enableShutdownHooks() turns SIGTERM/SIGINT into a graceful app.close().
}

main().catch((error: unknown) => {
  process.stderr.write(`Sitrep failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
