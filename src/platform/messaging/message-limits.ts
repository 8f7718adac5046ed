import { OutgoingMessage } from './message-transport';
import { MessageTooLargeError } from './transport-errors';

/**
 * Kafka's default `message.max.bytes` is 1 MiB (plus a record-batch header). A single message
 * stays below it with room for the record overhead; one producer request stays below ~900 KB
 * so that no partition's record batch in it can reach the limit either.
 */
export const MAX_MESSAGE_BYTES = 1_000_000;
export const MAX_BATCH_BYTES = 900_000;

/** Per-record overhead in a Kafka record batch: varints, attributes, deltas (generous). */
const RECORD_OVERHEAD = 64;

/** Estimated size of one message on the wire (uncompressed). */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD + Buffer.byteLength(message.key);
  bytes += typeof message.value === 'string' ? Buffer.byteLength(message.value) : message.value.length;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  }
  return bytes;
}

/** Sizes of the messages; throws MessageTooLargeError for the first one over `limit`. */
export function checkedSizes(messages: OutgoingMessage[], limit: number): number[] {
  return messages.map((message) => {
    const bytes = messageBytes(message);
    if (bytes > limit) throw new MessageTooLargeError(bytes, limit);
    return bytes;
  });
}

/** Splits messages, in order, into runs of at most `maxCount` messages and `maxBytes` bytes. */
export function splitBySize<T>(
  messages: T[],
  sizes: number[],
  maxCount: number,
  maxBytes: number,
): Array<{ messages: T[]; bytes: number }> {
  const runs: Array<{ messages: T[]; bytes: number }> = [];
  let current: { messages: T[]; bytes: number } = { messages: [], bytes: 0 };
  messages.forEach((message, i) => {
    if (current.messages.length > 0 && (current.messages.length >= maxCount || current.bytes + sizes[i] > maxBytes)) {
      runs.push(current);
      current = { messages: [], bytes: 0 };
    }
    current.messages.push(message);
    current.bytes += sizes[i];
  });
  if (current.messages.length > 0) runs.push(current);
  return runs;
}
