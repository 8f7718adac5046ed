import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { closeGracefully, createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/config';
import { createLogger } from '../../src/platform/observability/logger';

export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * A real Sitrep instance on an ephemeral port against the given database. Uses the
 * in-process transport unless `KAFKA_BROKERS` is passed in `env`.
 */
export async function startApp(databaseUrl: string, env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SITREP_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'fatal',
    ...env,
  });
  const app = await createApp(config, { logger: createLogger(config.logLevel) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  let closed = false;
  return {
    app,
    url,
    config,
    close: async () => {
      if (closed) return;
      closed = true;
      await closeGracefully(app);
    },
  };
}

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface CallOptions {
  token?: string | null;
  body?: unknown;
  /** Sent as is, instead of JSON-encoding `body`. */
  raw?: string | Buffer;
  headers?: Record<string, string>;
}

/** One HTTP call against a running instance; the admin token is used unless told otherwise. */
export async function call<T = any>(base: string, method: string, path: string, options: CallOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  const token = options.token === undefined ? ADMIN_TOKEN : options.token;
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | Buffer | undefined;
  if (options.raw !== undefined) {
    body = options.raw;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${base}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: leave the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}
