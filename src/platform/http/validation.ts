import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import type { ErrorDetail } from './app-error';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((error) => {
    const path = /^\d+$/.test(error.property)
      ? `${parent}[${error.property}]`
      : parent
        ? `${parent}.${error.property}`
        : error.property;
    const own = error.constraints
      ? [{ path, problem: Object.values(error.constraints)[0] }]
      : [];
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
