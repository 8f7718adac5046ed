import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { LogLevel } from '../../config/config';

export type AppLogger = Logger;

/** Paths that must never reach a log line, whatever object carries them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-pagerduty-signature"]',
  'headers.authorization',
  'authorization',
  'token',
  'secret',
  'key',
  'password',
  'routing_key',
  '*.token',
  '*.secret',
  '*.key',
  '*.password',
  '*.routing_key',
  '*.signing_secret',
];

/** How log lines are written: one JSON object per line, or one coloured human line. */
export type LogFormat = 'json' | 'pretty';

/**
 * Pretty lines for a person at a terminal, JSON for everything else: a file, a pipe, a log
 * shipper, `docker run` without `-t`, CI. Pretty needs pino-pretty, a devDependency that the
 * production image prunes; there a terminal still gets JSON rather than a crash.
 */
export function chooseLogFormat(output: { isTTY?: boolean }, prettyPrinterInstalled: boolean): LogFormat {
  return output.isTTY === true && prettyPrinterInstalled ? 'pretty' : 'json';
}

/** The pretty printer, or undefined where it is not installed (the production image). */
function loadPrettyPrinter(): typeof import('pino-pretty') | undefined {
  try {
    return require('pino-pretty');
  } catch {
    return undefined;
  }
}

/**
 * The service's logger. With no destination it writes to stdout in the format
 * `chooseLogFormat` picks for it; a given destination gets JSON unless `format` says
 * otherwise. Redaction happens before formatting, so it holds in both formats.
 */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream, format?: LogFormat): AppLogger {
  const prettyPrinter = format === 'json' ? undefined : loadPrettyPrinter();
  const chosen = format ?? (destination ? 'json' : chooseLogFormat(process.stdout, prettyPrinter !== undefined));
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'sitrep' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (chosen === 'json' || !prettyPrinter) return pino(options, destination);
  return pino(
    options,
    prettyPrinter({
      destination: destination ?? 1,
      // Synchronous, so that the last lines before process.exit (a failed start, shutdown) are not lost.
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service,context',
      messageFormat: '{if context}[{context}] {end}{msg}',
    }),
  );
}

/** Lets Nest's own logging go through pino. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: AppLogger) {}
  log(message: unknown, context?: string) {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string) {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string) {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string) {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string) {
    this.logger.trace({ context }, String(message));
  }
}

export const APP_LOGGER = Symbol('APP_LOGGER');
