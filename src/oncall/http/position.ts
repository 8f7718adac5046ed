import { AppError } from '../../platform/http/app-error';
import { isUuid } from '../../platform/http/uuid';

/** A keyset position (sort key, id) as an opaque cursor. */
export interface Position {
  key: string;
  id: string;
}

export function encodePosition(position: Position): string {
  return Buffer.from(JSON.stringify([position.key, position.id])).toString('base64url');
}

export function decodePosition(cursor: string): Position {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string' && isUuid(parsed[1])) {
      return { key: parsed[0], id: parsed[1] };
    }
  } catch {
    // not base64url JSON: the 400 below
  }
  throw invalidCursor();
}

export function invalidCursor(): AppError {
  return new AppError('invalid', 'INVALID_CURSOR', 'cursor is not one this API returned', [
    { path: 'cursor', problem: 'not a cursor returned by this API' },
  ]);
}
