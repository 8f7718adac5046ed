import { AppError } from '../../platform/http/app-error';

export const scheduleNotFound = (id: string) =>
  new AppError('not_found', 'SCHEDULE_NOT_FOUND', `No schedule with id ${id}`);

export const versionMismatch = (expected: number, actual: number) =>
  new AppError('precondition_failed', 'VERSION_MISMATCH', `The schedule is at version ${actual}, not ${expected}`);
