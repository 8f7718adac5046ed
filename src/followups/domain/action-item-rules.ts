/** What a follow-through action item may hold, beyond the incident aggregate's own rules. */

export const TAG = /^[a-z0-9][a-z0-9._:-]{0,63}$/i;
export const TAGS_MAX = 20;
export const TAG_PROBLEM = 'must be 1–64 characters of a-z, 0-9, ".", "_", ":" or "-" (no spaces), starting with a letter or digit';

/** Tags as stored: lower case, each once, in the order given. */
export function normalTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.toLowerCase()))];
}

/** True when an open item's due date is before `today` (a calendar date). */
export function isOverdue(item: { status: string; dueDate: string | null }, today: string): boolean {
  return item.status === 'open' && item.dueDate !== null && item.dueDate < today;
}
