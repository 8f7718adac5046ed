export const ACTION_ITEM_STATUSES = ['open', 'done'] as const;
export type ActionItemStatus = (typeof ACTION_ITEM_STATUSES)[number];

export const ACTION_ITEM_TITLE_MAX = 500;

export interface ActionItem {
  readonly id: string;
  readonly title: string;
  readonly owner: string | null;
  /** A calendar date, `YYYY-MM-DD`. */
  readonly dueDate: string | null;
  readonly status: ActionItemStatus;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function isActionItemStatus(value: unknown): value is ActionItemStatus {
  return typeof value === 'string' && (ACTION_ITEM_STATUSES as readonly string[]).includes(value);
}

/** `YYYY-MM-DD` naming a real calendar date (no 2025-02-30). */
export function isValidDueDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(2000, month - 1, day));
  date.setUTCFullYear(year);
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}
