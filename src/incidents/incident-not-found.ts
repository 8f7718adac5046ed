import { AppError } from '../platform/http/app-error';

export class IncidentNotFound extends AppError {
  constructor(id: string) {
    super('not_found', 'INCIDENT_NOT_FOUND', `No incident with id ${id}`);
  }
}
