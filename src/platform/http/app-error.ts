/**
 * What the error filter understands below the controllers: any error with a stable `code`
 * and a `kind` (domain errors have the same shape without importing this file).
 */
export type ErrorKind =
  | 'invalid'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'precondition_failed'
  | 'too_large'
  | 'unavailable';

export interface ErrorDetail {
  path: string;
  problem: string;
}

export interface CodedError {
  code: string;
  kind: ErrorKind;
  message: string;
  details?: ErrorDetail[];
  /** Seconds, for `unavailable`. */
  retryAfter?: number;
}

export class AppError extends Error implements CodedError {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** A 400 naming every bad field (`details`), its message listing them; nothing was written. */
export function invalidFields(problems: ErrorDetail[]): AppError {
  return new AppError('invalid', 'VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.problem}`).join('; '), problems);
}

export const STATUS_OF_KIND: Record<ErrorKind, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unavailable: 503,
};

export function isCodedError(error: unknown): error is CodedError {
  return (
    error instanceof Error &&
    typeof (error as Partial<CodedError>).code === 'string' &&
    typeof (error as Partial<CodedError>).kind === 'string' &&
    (error as unknown as CodedError).kind in STATUS_OF_KIND
  );
}
