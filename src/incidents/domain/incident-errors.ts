/**
 * How a domain error maps to an answer: 'conflict' → 409 (not allowed in the current state),
 * 'invalid' → 400 (bad input), 'not_found' → 404 (unknown id inside the incident).
 */
export type DomainErrorKind = 'conflict' | 'invalid' | 'not_found';

export type DomainErrorCode =
  // conflict
  | 'INCIDENT_ALREADY_RESOLVED'
  | 'INVALID_TRANSITION'
  | 'ROLE_CONFLICT'
  | 'INCIDENT_CLOSED_FOR_ALERTS'
  | 'ACTION_ITEM_EXISTS'
  // invalid
  | 'ID_REQUIRED'
  | 'INVALID_NUMBER'
  | 'TITLE_REQUIRED'
  | 'TITLE_TOO_LONG'
  | 'SUMMARY_TOO_LONG'
  | 'SERVICE_TOO_LONG'
  | 'INVALID_SEVERITY'
  | 'INVALID_SOURCE'
  | 'INVALID_ROLE'
  | 'INVALID_HANDLE'
  | 'NOTE_REQUIRED'
  | 'NOTE_TOO_LONG'
  | 'REASON_TOO_LONG'
  | 'ACTION_ITEM_TITLE_REQUIRED'
  | 'ACTION_ITEM_TITLE_TOO_LONG'
  | 'INVALID_DUE_DATE'
  | 'INVALID_ACTION_ITEM_STATUS'
  | 'VALUE_REQUIRED'
  | 'VALUE_TOO_LONG'
  | 'INVALID_DATE'
  // not_found
  | 'ACTION_ITEM_NOT_FOUND';

/** A rule of the incident domain was broken. `code` is stable; `message` is for humans. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    readonly kind: DomainErrorKind,
    message: string,
    /** The offending input field, for 'invalid' errors (e.g. `title`, `dueDate`). */
    readonly path?: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static conflict(code: DomainErrorCode, message: string): DomainError {
    return new DomainError(code, 'conflict', message);
  }

  static invalid(code: DomainErrorCode, message: string, path?: string): DomainError {
    return new DomainError(code, 'invalid', message, path);
  }

  static notFound(code: DomainErrorCode, message: string): DomainError {
    return new DomainError(code, 'not_found', message);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
