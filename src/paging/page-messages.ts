import type { IncidentView, PageMethod } from '../incidents';
import { actionsBlock } from '../notifications';
import type { OutboundMessage } from '../notifications';
import type { StepPosition } from './domain/step-machine';

export interface PageFacts {
  incident: Pick<IncidentView, 'id' | 'number' | 'title' | 'severity' | 'service'>;
  position: StepPosition;
  policyName: string;
  publicUrl: string;
}

const SPOKEN_SEVERITY: Record<string, string> = { SEV1: 'one', SEV2: 'two', SEV3: 'three', SEV4: 'four' };

/** The message paging a person by `method`; every one carries the acknowledge link. */
export function pageMessage(method: PageMethod, facts: PageFacts, ackUrl: string): OutboundMessage {
  const { incident, position, policyName, publicUrl } = facts;
  const where = incident.service ? ` (${incident.service})` : '';
  switch (method) {
    case 'sms':
      return {
        subject: `Sitrep ${incident.severity} #${incident.number}`,
        text: `${incident.title}${where}\nAcknowledge: ${ackUrl}`,
      };
    case 'voice':
      return {
        subject: `Sitrep page #${incident.number}`,
        text:
          `Sitrep page. Severity ${SPOKEN_SEVERITY[incident.severity] ?? incident.severity} incident ${incident.number}` +
          `${incident.service ? `, service ${incident.service}` : ''}. ${incident.title}. Press 1 to acknowledge. ${ackUrl}`,
      };
    default: {
      const message: OutboundMessage = {
        subject: `Paged: ${incident.severity} incident #${incident.number}: ${incident.title}`,
        text: [
          `You are paged for incident #${incident.number}${where}, ${incident.severity}: ${incident.title}`,
          `Escalation policy ${policyName}, step ${position.step}, round ${position.round}.`,
          '',
          `Acknowledge: ${ackUrl}`,
          `Incident: ${publicUrl}/incidents/${incident.id}`,
        ].join('\n'),
      };
      if (method === 'slack') message.blocks = slackBlocks(message, incident);
      return message;
    }
  }
}

/** A page DM: the message, then the same buttons as the announcement (chatops answers them). */
function slackBlocks(message: OutboundMessage, incident: PageFacts['incident']): NonNullable<OutboundMessage['blocks']> {
  // A page is sent only while the incident is triggered: every button applies.
  const actions = actionsBlock({ ...incident, status: 'triggered' });
  return [
    { type: 'section', text: { type: 'mrkdwn', text: `*${mrkdwn(message.subject)}*\n${mrkdwn(message.text)}` } },
    ...(actions ? [actions] : []),
  ];
}

function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** What a Slack channel named by a policy step is told (no acknowledge link: tokens are per person). */
export function channelPageMessage(facts: PageFacts, responders: string[]): OutboundMessage {
  const { incident, position, policyName, publicUrl } = facts;
  return {
    subject: `Paging for ${incident.severity} incident #${incident.number}: ${incident.title}`,
    text: [
      `Escalation policy ${policyName}, step ${position.step}, round ${position.round}${responders.length ? `: paging ${responders.join(', ')}` : ''}.`,
      `Incident: ${publicUrl}/incidents/${incident.id}`,
    ].join('\n'),
  };
}
