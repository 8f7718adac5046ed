/**
 * A status update as stakeholders outside the incident room read it: which incident, how bad,
 * where it stands, what the room says, and where to follow it. No responder jargon beyond the
 * severity, which the reader's runbooks name too.
 */
export interface StakeholderUpdateInput {
  incident: { id: string; number: number; title: string; severity: string; status: string; service: string | null };
  text: string;
  author: string;
  postedAt: string;
  publicUrl: string;
}

const STATUS_WORDS: Record<string, string> = {
  triggered: 'Investigating',
  acknowledged: 'Investigating — responders are on it',
  mitigated: 'Mitigated — impact contained, fix in progress',
  resolved: 'Resolved',
};

export function stakeholderMessage(input: StakeholderUpdateInput): { subject: string; text: string } {
  const { incident } = input;
  const status = STATUS_WORDS[incident.status] ?? incident.status;
  const subject = `[${incident.severity}] Incident #${incident.number}: ${incident.title} — ${status.split(' — ')[0]}`;
  const text = [
    `Status update on incident #${incident.number}: ${incident.title}`,
    `Severity: ${incident.severity}${incident.service ? ` · Service: ${incident.service}` : ''}`,
    `Status: ${status}`,
    '',
    input.text,
    '',
    `Posted by ${input.author} at ${input.postedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}.`,
    `Follow the incident: ${input.publicUrl}/incidents/${incident.id}`,
  ].join('\n');
  return { subject, text };
}

/** The reminder to the person who owes stakeholders an update. */
export function updateDueMessage(input: {
  incident: { id: string; number: number; title: string; severity: string };
  cadence: string;
  since: string;
  publicUrl: string;
}): { subject: string; text: string } {
  const { incident } = input;
  return {
    subject: `Status update due: #${incident.number} ${incident.title}`,
    text: [
      `Incident #${incident.number} (${incident.severity}) has had no status update since ${input.since.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}; its cadence is ${input.cadence}.`,
      `Stakeholders are waiting: post one at ${input.publicUrl}/incidents/${incident.id}`,
    ].join('\n'),
  };
}
