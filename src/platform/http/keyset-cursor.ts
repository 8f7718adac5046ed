import { AppError } from './app-error';

/** A position in a newest-first list: the (createdAt, id) of the last item seen. */
export interface KeysetPosition {
  createdAt: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque to clients: they pass back what a list returned. */
export function encodeCursor(position: KeysetPosition): string {
  return Buffer.from(JSON.stringify({ c: position.createdAt, i: position.id })).toString('base64url');
}

export function decodeCursor(cursor: string): KeysetPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { c?: unknown; i?: unknown };
    if (
      typeof parsed.c === 'string' &&
      typeof parsed.i === 'string' &&
      UUID.test(parsed.i) &&
      !Number.isNaN(Date.parse(parsed.c))
    ) {
      return { createdAt: parsed.c, id: parsed.i };
    }
  } catch {
    // not base64url JSON: fall through to the 400
  }
  throw new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned', [
    { path: 'cursor', problem: 'not a cursor returned by this API' },
  ]);
}
