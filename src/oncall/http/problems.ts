import { AppError } from '../../platform/http/app-error';
import type { FieldProblem } from '../domain';

/** A 400 naming every bad field; nothing has been written when it is thrown. */
export function invalid(problems: FieldProblem[]): AppError {
  return new AppError(
    'invalid',
    'VALIDATION_FAILED',
    problems.map((p) => `${p.path}: ${p.problem}`).join('; '),
    problems,
  );
}

export function throwIfAny(problems: FieldProblem[]): void {
  if (problems.length) throw invalid(problems);
}

export { IfMatch, parseIfMatch } from '../../platform/http/if-match';
