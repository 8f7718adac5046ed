import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { ErrorDetail } from './app-error';
import { findShapeProblem } from './body-shape';

/** Details listed in one validation error; a body with thousands of bad keys gets a count of the rest. */
const MAX_DETAILS = 20;

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = error.constraints ? [{ path, problem: Object.values(error.constraints)[0] }] : [];
    return [...own, ...flatten(error.children ?? [], path)];
  });
}

export function validationDetails(errors: ValidationError[]): ErrorDetail[] {
  return flatten(errors);
}

/** Rejects unknown fields and names every bad one in `details`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const all = flatten(errors);
      const details = all.slice(0, MAX_DETAILS);
      const more = all.length > details.length ? ` (and ${all.length - details.length} more)` : '';
      return new BadRequestException({
        message: (details.map((d) => `${d.path}: ${d.problem}`).join('; ') || 'Invalid request') + more,
        code: 'VALIDATION_FAILED',
        details,
      });
    },
  });
}

// NUL and unpaired UTF-16 surrogates are valid JSON but PostgreSQL cannot store them.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Recursion is safe here: findShapeProblem has bounded the depth first. */
function findUnstorable(value: unknown, path: string): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || 'body' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const found = UNSTORABLE.test(key) ? childPath : findUnstorable(item, childPath);
    if (found) return found;
  }
  return null;
}

/**
 * Screens every DTO-typed body and query before validation, with a 400 naming the field:
 * first its shape (depth and width, see body-shape.ts — class-transformer recurses and would
 * overflow the stack), then text PostgreSQL cannot store (NUL, unpaired surrogates). Ingest
 * endpoints take `unknown` bodies and are not screened: their normalisers decide, and clean
 * such text instead, since a 4xx would lose the alert.
 */
@Injectable()
export class ScreenApiInput implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const typed = metadata.metatype && metadata.metatype !== Object;
    if (!typed || (metadata.type !== 'body' && metadata.type !== 'query')) return value;
    const shape = findShapeProblem(value);
    if (shape) {
      throw new BadRequestException({
        message: `${shape.path}: ${shape.problem}`,
        code: shape.code,
        details: [{ path: shape.path, problem: shape.problem }],
      });
    }
    const path = findUnstorable(value, '');
    if (path) {
      throw new BadRequestException({
        message: `${path}: must not contain NUL characters or unpaired UTF-16 surrogates`,
        code: 'VALIDATION_FAILED',
        details: [{ path, problem: 'must not contain NUL characters or unpaired UTF-16 surrogates' }],
      });
    }
    return value;
  }
}

/** The name bootstrap.ts registers; ScreenApiInput does more than its name says. */
export { ScreenApiInput as RejectUnstorableText };
