import { ACTION_ITEM_TITLE_MAX, isActionItemStatus, isValidDueDate } from './action-item';
import type { ActionItemStatus } from './action-item';
import { DomainError } from './incident-errors';
import { isRole, isValidHandle, HANDLE_MAX } from './roles';
import type { Role } from './roles';
import { isSeverity } from './severity';
import type { Severity } from './severity';

export const TITLE_MAX = 200;
export const SUMMARY_MAX = 10_000;
export const NOTE_MAX = 10_000;
export const REASON_MAX = 1_000;
export const SERVICE_MAX = 200;
/** Escalation targets, channels, recipients, ids and the like. */
export const VALUE_MAX = 500;

/** Length in characters (code points), not UTF-16 units. */
function length(value: string): number {
  return [...value].length;
}

/** Trimmed; '' or absent means null. */
function optionalText(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

export function validTitle(value: unknown): string {
  const title = typeof value === 'string' ? value.trim() : '';
  if (title === '') throw DomainError.invalid('TITLE_REQUIRED', 'Title is required', 'title');
  if (length(title) > TITLE_MAX) {
    throw DomainError.invalid(
      'TITLE_TOO_LONG',
      `Title must be at most ${TITLE_MAX} characters`,
      'title',
    );
  }
  return title;
}

export function validSummary(value: string | null | undefined): string | null {
  const summary = optionalText(value);
  if (summary !== null && length(summary) > SUMMARY_MAX) {
    throw DomainError.invalid(
      'SUMMARY_TOO_LONG',
      `Summary must be at most ${SUMMARY_MAX} characters`,
      'summary',
    );
  }
  return summary;
}

export function validService(value: string | null | undefined): string | null {
  const service = optionalText(value);
  if (service !== null && length(service) > SERVICE_MAX) {
    throw DomainError.invalid(
      'SERVICE_TOO_LONG',
      `Service must be at most ${SERVICE_MAX} characters`,
      'service',
    );
  }
  return service;
}

export function validSeverity(value: unknown, path = 'severity'): Severity {
  if (!isSeverity(value)) {
    throw DomainError.invalid(
      'INVALID_SEVERITY',
      `Severity must be one of SEV1, SEV2, SEV3, SEV4, got ${JSON.stringify(value)}`,
      path,
    );
  }
  return value;
}

export function validRole(value: unknown): Role {
  if (!isRole(value)) {
    throw DomainError.invalid(
      'INVALID_ROLE',
      `Role must be one of commander, deputy, scribe, communications, got ${JSON.stringify(value)}`,
      'role',
    );
  }
  return value;
}

/** Trims, then requires a handle: 1..100 characters, no whitespace or control characters. */
export function validHandle(value: unknown, path: string): string {
  const handle = typeof value === 'string' ? value.trim() : value;
  if (!isValidHandle(handle)) {
    throw DomainError.invalid(
      'INVALID_HANDLE',
      `${path} must be a responder handle: 1 to ${HANDLE_MAX} characters without spaces`,
      path,
    );
  }
  return handle;
}

/** An optional note or comment on a transition. */
export function validNote(value: string | null | undefined): string | null {
  const note = optionalText(value);
  if (note !== null && length(note) > NOTE_MAX) {
    throw DomainError.invalid(
      'NOTE_TOO_LONG',
      `Note must be at most ${NOTE_MAX} characters`,
      'note',
    );
  }
  return note;
}

/** The text of a note added to the timeline: required. */
export function validNoteText(value: unknown): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw DomainError.invalid('NOTE_REQUIRED', 'Note text is required', 'text');
  if (length(text) > NOTE_MAX) {
    throw DomainError.invalid(
      'NOTE_TOO_LONG',
      `Note must be at most ${NOTE_MAX} characters`,
      'text',
    );
  }
  return text;
}

export function validReason(value: string | null | undefined): string | null {
  const reason = optionalText(value);
  if (reason !== null && length(reason) > REASON_MAX) {
    throw DomainError.invalid(
      'REASON_TOO_LONG',
      `Reason must be at most ${REASON_MAX} characters`,
      'reason',
    );
  }
  return reason;
}

/** A required short string (ids, targets, channels): trimmed, 1..500 characters. */
export function validValue(value: unknown, path: string, max = VALUE_MAX): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text === '') throw DomainError.invalid('VALUE_REQUIRED', `${path} is required`, path);
  if (length(text) > max) {
    throw DomainError.invalid('VALUE_TOO_LONG', `${path} must be at most ${max} characters`, path);
  }
  return text;
}

export function validId(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '' || length(value) > VALUE_MAX) {
    throw DomainError.invalid('ID_REQUIRED', `${path} must be a non-empty id`, path);
  }
  return value;
}

export function validActionItemTitle(value: unknown): string {
  const title = typeof value === 'string' ? value.trim() : '';
  if (title === '') {
    throw DomainError.invalid(
      'ACTION_ITEM_TITLE_REQUIRED',
      'Action item title is required',
      'title',
    );
  }
  if (length(title) > ACTION_ITEM_TITLE_MAX) {
    throw DomainError.invalid(
      'ACTION_ITEM_TITLE_TOO_LONG',
      `Action item title must be at most ${ACTION_ITEM_TITLE_MAX} characters`,
      'title',
    );
  }
  return title;
}

/** Absent or null means no owner; anything else must be a handle. */
export function validOwner(value: string | null | undefined): string | null {
  return value === undefined || value === null ? null : validHandle(value, 'owner');
}

/** Absent or null means no due date; anything else must be a real `YYYY-MM-DD` date. */
export function validDueDate(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (!isValidDueDate(value)) {
    throw DomainError.invalid(
      'INVALID_DUE_DATE',
      `Due date must be a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`,
      'dueDate',
    );
  }
  return value;
}

export function validActionItemStatus(value: unknown): ActionItemStatus {
  if (!isActionItemStatus(value)) {
    throw DomainError.invalid(
      'INVALID_ACTION_ITEM_STATUS',
      `Status must be open or done, got ${JSON.stringify(value)}`,
      'status',
    );
  }
  return value;
}

export function validDate(value: unknown, path: string): Date {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) {
    throw DomainError.invalid('INVALID_DATE', `${path} must be a date`, path);
  }
  return date;
}
