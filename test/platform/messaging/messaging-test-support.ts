import { randomBytes } from 'node:crypto';
import { MessagingLogger } from '../../../src/platform/messaging/messaging-logger';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg?: string;
  obj: object;
}

/** A logger that keeps its entries (for assertions); set DEBUG_MESSAGING=1 to print them. */
export function recordingLogger(): MessagingLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const record = (level: LogEntry['level']) => (obj: object, msg?: string) => {
    entries.push({ level, obj, msg });
    if (process.env.DEBUG_MESSAGING) console.log(level, msg, obj);
  };
  return { entries, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** A fresh topic prefix, so tests sharing one broker never see each other's messages. */
export function uniquePrefix(): string {
  return `t${randomBytes(4).toString('hex')}.`;
}
