import {
  ArgumentMetadata,
  BadRequestException,
  Injectable,
  PipeTransform,
  ValidationError,
  ValidationPipe,
} from '@nestjs/common';
import type { ErrorDetail } from './app-error';

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
      const details = flatten(errors);
      return new BadRequestException({
        message: details.map((d) => `${d.path}: ${d.problem}`).join('; ') || 'Invalid request',
        code: 'VALIDATION_FAILED',
        details,
      });
    },
  });
}

// NUL and unpaired UTF-16 surrogates are valid JSON but PostgreSQL cannot store them.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function findUnstorable(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path || 'body' : null;
  if (value === null || typeof value !== 'object' || depth > 32) return null;
  for (const [key, item] of Object.entries(value)) {
    const childPath = Array.isArray(value) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    const found = UNSTORABLE.test(key) ? childPath : findUnstorable(item, childPath, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * Rejects text PostgreSQL cannot store with a 400 naming the field, for every DTO-typed body
 * and query. Ingest endpoints take `unknown` bodies and clean such text instead, since a 4xx
 * would lose the alert.
 */
@Injectable()
export class RejectUnstorableText implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const typed = metadata.metatype && metadata.metatype !== Object;
    if (!typed || (metadata.type !== 'body' && metadata.type !== 'query')) return value;
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
