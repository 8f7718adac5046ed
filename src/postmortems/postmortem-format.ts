import { AppError } from '../platform/http/app-error';
import type { PostmortemDraft } from './postmortem-draft';

export const POSTMORTEM_FORMATS = ['json', 'markdown', 'html', 'pdf'] as const;
export type PostmortemFormat = (typeof POSTMORTEM_FORMATS)[number];

export const CONTENT_TYPES: Record<PostmortemFormat, string> = {
  json: 'application/json; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

const MEDIA_TYPES: Record<string, PostmortemFormat> = {
  'application/json': 'json',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/pdf': 'pdf',
  'text/*': 'html',
  'application/*': 'json',
  '*/*': 'json',
};

/**
 * The format to answer with: `?format=` wins (an unknown one is a 400 naming `format`);
 * otherwise the most preferred media type of `Accept` that we produce (ties: the earlier one,
 * then the more specific). No Accept, or `*\/*`, is JSON. Null when Accept names nothing we
 * produce (the caller answers 406).
 */
export function negotiateFormat(
  format: string | string[] | undefined,
  accept: string | undefined,
): PostmortemFormat | null {
  if (format !== undefined) {
    const value = Array.isArray(format) ? format[0] : format;
    if ((POSTMORTEM_FORMATS as readonly string[]).includes(value)) return value as PostmortemFormat;
    throw new AppError('invalid', 'INVALID_FORMAT', `format must be one of ${POSTMORTEM_FORMATS.join(', ')}`, [
      {
        path: 'format',
        problem: `must be one of ${POSTMORTEM_FORMATS.join(', ')}, got ${JSON.stringify(String(value).slice(0, 40))}`,
      },
    ]);
  }
  if (!accept || accept.trim() === '') return 'json';
  let best: { format: PostmortemFormat; q: number; specific: boolean } | null = null;
  for (const part of accept.split(',')) {
    const [type, ...params] = part.trim().toLowerCase().split(';');
    const format = MEDIA_TYPES[type.trim()];
    if (!format) continue;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!Number.isFinite(q) || q <= 0) continue;
    const specific = !type.includes('*');
    if (!best || q > best.q || (q === best.q && specific && !best.specific)) best = { format, q, specific };
  }
  return best?.format ?? null;
}

/** `"<postmortem version>.<incident version>"`: changes when the sections or the record change. */
export function etagOf(draft: Pick<PostmortemDraft, 'version' | 'incidentVersion'>): string {
  return `"${draft.version}.${draft.incidentVersion}"`;
}

/**
 * The postmortem version named by If-Match: the ETag of a GET (`"3.17"`, weak form allowed) or
 * just `"3"`. Only the postmortem part is compared, so alerts, notes or notifications landing on
 * the incident meanwhile never fail a save. Absent or `*`: undefined. Anything else is a 412.
 */
export function parsePostmortemIfMatch(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value === '*') return undefined;
  const match = /^(?:W\/)?"?(\d{1,9})(?:\.\d{1,9})?"?$/.exec(value);
  if (!match) {
    throw new AppError(
      'precondition_failed',
      'POSTMORTEM_VERSION_MISMATCH',
      `If-Match must be the postmortem's ETag ("<version>.<incident version>") or "<version>", got ${value.slice(0, 40)}`,
    );
  }
  return Number(match[1]);
}
