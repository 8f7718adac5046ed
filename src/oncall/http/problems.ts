import { invalidFields } from '../../platform/http/app-error';
import type { FieldProblem } from '../domain';

export const invalid = invalidFields;

export function throwIfAny(problems: FieldProblem[]): void {
  if (problems.length) throw invalid(problems);
}

export { IfMatch, parseIfMatch } from '../../platform/http/if-match';
