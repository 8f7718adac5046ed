import type { Role } from '../../incidents';
import { asSeverity } from './severity-order';
import { IncidentCommand, ParsedCommand, PersonRef, StatusMove } from './incident-command';

export const USAGE = {
  declare: '/incident declare SEV1 <title>',
  role: '/incident commander|deputy|scribe|comms @user [#<number>]',
  note: '/incident note <text> [#<number>]',
  update: '/incident update <text> [#<number>]',
} as const;

const MOVES: Record<string, StatusMove> = {
  ack: 'acknowledge',
  acknowledge: 'acknowledge',
  mitigate: 'mitigate',
  mitigated: 'mitigate',
  resolve: 'resolve',
  resolved: 'resolve',
};

const ROLE_WORDS: Record<string, Role> = {
  commander: 'commander',
  ic: 'commander',
  lead: 'commander',
  deputy: 'deputy',
  scribe: 'scribe',
  comms: 'communications',
  communications: 'communications',
};

// `#42` standing alone: not `<#C123|room>` (a channel mention), not `a#42`, not `#42b`.
const INCIDENT_REF = /(^|\s)#(\d{1,9})(?=\s|$)/;
// With "escape channels, users and links" on, Slack sends `<@U123|name>` or `<@U123>`.
const USER_MENTION = /^<@([UW][A-Z0-9]{2,30})(?:\|[^>]*)?>$/;
const PLAIN_HANDLE = /^@?([^\s<>@#]{1,100})$/;

/** Slack escapes only these three in command text (docs: formatting, escaping). */
export function unescapeSlack(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/** Drops one pair of matching quotes around the whole text (straight or curly). */
function unquote(text: string): string {
  const pairs: Array<[string, string]> = [['"', '"'], ["'", "'"], ['“', '”'], ['‘', '’'], ['«', '»']];
  for (const [open, close] of pairs) {
    if (text.length >= 2 && text.startsWith(open) && text.endsWith(close)) {
      const inner = text.slice(open.length, text.length - close.length).trim();
      if (!inner.includes(open) && !inner.includes(close)) return inner;
    }
  }
  return text;
}

/** Takes the first standalone `#<number>` out of the arguments. */
function takeIncidentRef(args: string): { rest: string; incidentNumber: number | null } {
  const match = INCIDENT_REF.exec(args);
  if (!match) return { rest: args.trim(), incidentNumber: null };
  const number = Number(match[2]);
  const rest = `${args.slice(0, match.index)}${match[1]}${args.slice(match.index + match[0].length)}`;
  return { rest: rest.replace(/\s{2,}/g, ' ').trim(), incidentNumber: number >= 1 ? number : null };
}

function person(token: string): PersonRef | undefined {
  const mention = USER_MENTION.exec(token);
  if (mention) return { slackUserId: mention[1] };
  if (token.startsWith('<')) return undefined;
  const plain = PLAIN_HANDLE.exec(token);
  return plain ? { handle: plain[1] } : undefined;
}

const fail = (problem: string): ParsedCommand => ({ ok: false, problem });
const ok = (command: IncidentCommand): ParsedCommand => ({ ok: true, command });

/**
 * Parses the `text` of `/incident …` (everything after the command). Words are
 * case-insensitive; titles and notes keep their case, quotes inside and emoji.
 */
export function parseIncidentCommand(rawText: string): ParsedCommand {
  const text = rawText.replace(/\s+/g, ' ').trim();
  if (!text) return ok({ kind: 'help' });
  const space = text.indexOf(' ');
  const verb = (space === -1 ? text : text.slice(0, space)).toLowerCase();
  const args = space === -1 ? '' : text.slice(space + 1).trim();

  if (verb === 'help' || verb === '?') return ok({ kind: 'help' });

  if (verb === 'declare' || verb === 'new' || verb === 'open') {
    const [first, ...more] = args.split(' ');
    const severity = asSeverity(first);
    if (!severity) {
      return fail(`Give a severity first: \`${USAGE.declare}\` (SEV1 is the worst, SEV4 the mildest).`);
    }
    const title = unquote(unescapeSlack(more.join(' ').trim()));
    if (!title) return fail(`Give the incident a title: \`${USAGE.declare}\`.`);
    return ok({ kind: 'declare', severity, title });
  }

  const { rest, incidentNumber } = takeIncidentRef(args);

  const move = MOVES[verb];
  if (move) {
    const note = unquote(unescapeSlack(rest));
    return ok({ kind: 'move', move, note: note || null, incidentNumber });
  }

  const role = ROLE_WORDS[verb];
  if (role) {
    const tokens = rest.split(' ').filter(Boolean);
    if (tokens.length !== 1) {
      return fail(
        tokens.length === 0
          ? `Say who: \`${USAGE.role}\`.`
          : `Name one person: \`${USAGE.role}\`.`,
      );
    }
    const who = person(tokens[0]);
    if (!who) return fail(`"${unescapeSlack(tokens[0])}" is not a person; mention them with @: \`${USAGE.role}\`.`);
    return ok({ kind: 'role', role, person: who, incidentNumber });
  }

  if (verb === 'note' || verb === 'update') {
    const body = unescapeSlack(rest);
    if (!body) return fail(`Write the text: \`${verb === 'note' ? USAGE.note : USAGE.update}\`.`);
    return ok({ kind: verb, text: body, incidentNumber });
  }

  if (verb === 'status' || verb === 'show' || verb === 'info') {
    if (rest) return fail('`/incident status` takes only an incident, e.g. `/incident status #42`.');
    return ok({ kind: 'status', incidentNumber });
  }

  if (verb === 'oncall' || verb === 'on-call' || verb === 'who') {
    const schedule = unquote(unescapeSlack(args));
    return ok({ kind: 'oncall', schedule: schedule || null });
  }

  return fail(`Unknown command "${unescapeSlack(verb)}". Try \`/incident help\`.`);
}
