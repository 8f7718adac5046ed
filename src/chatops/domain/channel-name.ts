/**
 * Incident channel names: `inc-<number>-<slug of title>`. Slack allows lower-case letters,
 * digits, `-` and `_`, at most 80 characters, and rejects rather than fixes anything else
 * (conversations.create: invalid_name_specials, invalid_name_maxlength).
 */
export const CHANNEL_NAME_MAX = 80;

/** Lower-case ASCII words joined by `-`: accents folded, emoji and punctuation dropped. */
export function slugOf(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/**
 * The name for attempt `attempt` (1 = no suffix; 2 → `-2`, …, after `name_taken`). The slug is
 * cut at a word boundary where it can be, so the number and the suffix always fit.
 */
export function incidentChannelName(number: number, title: string, attempt = 1): string {
  const prefix = `inc-${number}`;
  const suffix = attempt > 1 ? `-${attempt}` : '';
  const room = CHANNEL_NAME_MAX - prefix.length - suffix.length - 1;
  let slug = slugOf(title);
  if (slug.length > room) {
    const cut = slug.slice(0, room);
    const lastDash = cut.lastIndexOf('-');
    slug = (lastDash >= room / 2 ? cut.slice(0, lastDash) : cut).replace(/-+$/, '');
  }
  return slug ? `${prefix}-${slug}${suffix}` : `${prefix}${suffix}`;
}
