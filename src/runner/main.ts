import { Runner } from './runner';
import { loadRunnerConfig } from './runner-config';

/** `node dist/runner.js`: logs JSON lines to stdout; never logs the token or script arguments. */
export async function main(): Promise<void> {
  const log = (level: string, message: string, fields: Record<string, unknown> = {}) =>
    process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...fields })}\n`);
  let config;
  try {
    config = loadRunnerConfig(process.env);
  } catch (error) {
    log('error', (error as Error).message);
    process.exitCode = 2;
    return;
  }
  const runner = new Runner(config, log);
  const stop = () => runner.stop();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  log('info', 'Sitrep runner started', { url: config.url, scriptsDir: config.scriptsDir });
  await runner.loop();
  log('info', 'Sitrep runner stopped');
}
