/** ICS roles: commander owns decisions, deputy takes over on handoff, scribe, communications. */
export const ROLES = ['commander', 'deputy', 'scribe', 'communications'] as const;
export type Role = (typeof ROLES)[number];

export type Roles = Readonly<Record<Role, string | null>>;

export const HANDLE_MAX = 100;

/** The actor that automation records events as. */
export const SYSTEM_ACTOR = 'system';

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/**
 * A responder handle: 1..100 characters, no whitespace and no control characters.
 * Callers trim input before asking.
 */
export function isValidHandle(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const length = [...value].length;
  // eslint-disable-next-line no-control-regex
  return length >= 1 && length <= HANDLE_MAX && !/[\s\u0000-\u001f\u007f-\u009f]/u.test(value);
}

export function emptyRoles(): Roles {
  return { commander: null, deputy: null, scribe: null, communications: null };
}
