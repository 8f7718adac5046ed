import { DateTime } from 'luxon';

/**
 * The daily digest: each owner with open items overdue or due within 2 days gets one message
 * at REMINDER_TIME in REMINDER_TZ. Days are calendar days in that zone; `dueDate` is a
 * calendar date, compared as such.
 */

export const DUE_SOON_DAYS = 2;

export interface DigestItem {
  id: string;
  title: string;
  dueDate: string;
  incidentId: string | null;
  incidentNumber?: number | null;
  tags: string[];
}

/** The calendar day (`YYYY-MM-DD`) of an instant in a zone. */
export function dayIn(now: Date, timeZone: string): string {
  return DateTime.fromJSDate(now, { zone: timeZone }).toISODate()!;
}

/** `day` plus `days` calendar days. */
export function addDays(day: string, days: number): string {
  return DateTime.fromISO(day, { zone: 'UTC' }).plus({ days }).toISODate()!;
}

/** The instant of `time` (HH:MM) on `day` in the zone (a time skipped by DST moves forward). */
export function digestInstant(day: string, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromISO(day, { zone: timeZone }).set({ hour, minute, second: 0, millisecond: 0 }).toJSDate();
}

export interface PlannedDigest {
  day: string;
  dueAt: Date;
  /** Includes the time and zone, so changing REMINDER_TIME plans anew; the digest rows still hold it to once a day. */
  key: string;
}

/**
 * The digests to keep planned at `now`: today's when its time is still ahead or was missed by
 * less than `catchUpMs` (an instance that was down at 09:00 still sends at 09:20), and tomorrow's.
 */
export function plannedDigests(now: Date, time: string, timeZone: string, catchUpMs: number): PlannedDigest[] {
  const today = dayIn(now, timeZone);
  const plan = (day: string): PlannedDigest => ({
    day,
    dueAt: digestInstant(day, time, timeZone),
    key: `${day}T${time}@${timeZone}`,
  });
  const todays = plan(today);
  const out: PlannedDigest[] = [];
  if (todays.dueAt.getTime() > now.getTime() - catchUpMs) out.push(todays);
  out.push(plan(addDays(today, 1)));
  return out;
}

export interface DigestContent {
  overdue: DigestItem[];
  dueSoon: DigestItem[];
}

/** Open items split into overdue (before today) and due today or within 2 days; later ones are left out. */
export function selectForDigest(items: DigestItem[], today: string): DigestContent {
  const horizon = addDays(today, DUE_SOON_DAYS);
  const byDue = [...items].sort((a, b) => a.dueDate.localeCompare(b.dueDate) || a.id.localeCompare(b.id));
  return {
    overdue: byDue.filter((i) => i.dueDate < today),
    dueSoon: byDue.filter((i) => i.dueDate >= today && i.dueDate <= horizon),
  };
}

export function isEmptyDigest(content: DigestContent): boolean {
  return content.overdue.length === 0 && content.dueSoon.length === 0;
}

/** One owner's message: what is overdue, what is due soon, each with its link. */
export function digestMessage(
  owner: { handle: string; name: string },
  content: DigestContent,
  today: string,
  publicUrl: string,
): { subject: string; text: string } {
  const count = content.overdue.length + content.dueSoon.length;
  const overdue = content.overdue.length;
  const subject =
    `${count} action item${count === 1 ? '' : 's'} need${count === 1 ? 's' : ''} you` +
    (overdue > 0 ? ` (${overdue} overdue)` : '');
  const line = (item: DigestItem) => {
    const where = item.incidentId
      ? `${item.incidentNumber ? `incident #${item.incidentNumber}` : 'incident'} ${publicUrl}/incidents/${item.incidentId}`
      : item.tags.length > 0
        ? item.tags.map((t) => `#${t}`).join(' ')
        : 'no incident';
    return `• ${item.title} — due ${item.dueDate} (${relative(item.dueDate, today)}) — ${where}`;
  };
  const parts = [`Hi ${owner.name}, here are your open action items for ${today}.`];
  if (content.overdue.length > 0) parts.push('', 'Overdue:', ...content.overdue.map(line));
  if (content.dueSoon.length > 0) parts.push('', `Due in the next ${DUE_SOON_DAYS} days:`, ...content.dueSoon.map(line));
  parts.push('', `All your items, and a Done button for each: ${publicUrl}/action-items?owner=${encodeURIComponent(owner.handle)}`);
  return { subject, text: parts.join('\n') };
}

function relative(due: string, today: string): string {
  const days = DateTime.fromISO(due, { zone: 'UTC' }).diff(DateTime.fromISO(today, { zone: 'UTC' }), 'days').days;
  if (days === 0) return 'today';
  if (days === 1) return 'tomorrow';
  if (days > 1) return `in ${days} days`;
  return days === -1 ? '1 day overdue' : `${-days} days overdue`;
}
