import { Client, ClientConfig } from 'pg';
import { DataSource } from 'typeorm';

/**
 * A PostgreSQL connection of one's own, outside the pool: for what lives as long as a session
 * does (an advisory lock, a LISTEN). Same server and credentials as the DataSource.
 */
export function ownConnection(dataSource: DataSource, applicationName: string): Client {
  const options = dataSource.options as unknown as Record<string, unknown>;
  const extra = (options.extra ?? {}) as Record<string, unknown>;
  const config: ClientConfig = {
    connectionString: options.url as string | undefined,
    host: options.host as string | undefined,
    port: options.port as number | undefined,
    user: options.username as string | undefined,
    password: typeof options.password === 'string' ? options.password : undefined,
    database: options.database as string | undefined,
    ssl: options.ssl as ClientConfig['ssl'],
    connectionTimeoutMillis: (extra.connectionTimeoutMillis as number | undefined) ?? 5000,
    statement_timeout: 30000,
    keepAlive: true,
    application_name: applicationName,
  };
  return new Client(config);
}

/** Closing the session releases its advisory locks and LISTENs with it. */
export async function closeQuietly(client: Client): Promise<void> {
  await client.end().catch(() => undefined);
}

/** LISTEN takes an identifier, not a parameter. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
