import type { KafkaMockBroker } from './kafka-broker';
import type { EmbeddedDatabase } from '../../src/platform/database/embedded-postgres';

export default async function globalTeardown(): Promise<void> {
  const g = globalThis as Record<string, unknown>;
  await (g.__sitrepBroker as KafkaMockBroker | undefined)?.stop();
  await (g.__sitrepEmbedded as EmbeddedDatabase | undefined)?.stop();
}
