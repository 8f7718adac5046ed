import { describeEvent, factRows, headline, MessageInput, truncate } from './message-facts';

export interface EmailMessage {
  subject: string;
  text: string;
  html: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** The same facts as the Slack message, as a plain-text and an HTML part. */
export function emailMessage(input: MessageInput): EmailMessage {
  const { incident, payload } = input;
  // Subjects are one line: no CR/LF from user text.
  const subject = truncate(headline(input).replace(/[\r\n]+/g, ' '), 200);
  const changes = payload.events.map((e) => describeEvent(e));
  const facts = factRows(incident);
  const text = [
    subject,
    '',
    `Incident #${incident.number}: ${incident.title}`,
    ...facts.map(([label, value]) => `${label}: ${value}`),
    ...(incident.summary ? ['', incident.summary] : []),
    '',
    ...changes.map((c) => `- ${c}`),
    '',
    `Open the incident: ${input.link}`,
    '',
    '-- ',
    'Sent by Sitrep',
  ].join('\n');
  const html = `<!doctype html>
<html><body style="font-family: sans-serif">
<h2>${escapeHtml(`#${incident.number} ${incident.title}`)}</h2>
<p>${escapeHtml(subject)}</p>
<table>
${facts.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n')}
</table>
${incident.summary ? `<p>${escapeHtml(incident.summary)}</p>` : ''}
<ul>
${changes.map((c) => `<li>${escapeHtml(c)}</li>`).join('\n')}
</ul>
<p><a href="${escapeHtml(input.link)}">Open incident #${incident.number}</a></p>
</body></html>`;
  return { subject, text, html };
}
