import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { GetIncident, IncidentCommands, IncidentNotFound, IncidentView } from '../incidents';
import { AckTokens, AckTokenOwner } from './ack-tokens';

export type AckOutcome =
  | { kind: 'unknown' }
  | { kind: 'resolved'; owner: AckTokenOwner; incident: IncidentView }
  | { kind: 'acknowledged' | 'unchanged' | 'open'; owner: AckTokenOwner; incident: IncidentView };

/**
 * Acknowledging from a page (the link, a voice call's key press): the token names the page
 * and the paged responder, who becomes the actor. Only a `triggered` incident changes; a
 * second press, or a press after someone else acknowledged, changes nothing.
 */
@Injectable()
export class Acknowledgements {
  constructor(
    private readonly tokens: AckTokens,
    private readonly incidents: IncidentCommands,
    private readonly queries: QueryBus,
  ) {}

  /** What the token's page shows; changes nothing (link scanners fetch links). */
  async look(token: string): Promise<AckOutcome> {
    const owner = await this.tokens.owner(token);
    if (!owner) return { kind: 'unknown' };
    try {
      const incident = await this.queries.execute(new GetIncident(owner.incidentId));
      return { kind: incident.status === 'resolved' ? 'resolved' : 'open', owner, incident };
    } catch (error) {
      if (error instanceof IncidentNotFound) return { kind: 'unknown' };
      throw error;
    }
  }

  async acknowledge(token: string): Promise<AckOutcome> {
    const owner = await this.tokens.owner(token);
    if (!owner) return { kind: 'unknown' };
    try {
      const { incident, result } = await this.incidents.act(
        owner.incidentId,
        { actor: owner.responder },
        (incident, ctx) => {
          if (incident.status === 'resolved') return 'resolved' as const;
          if (incident.status !== 'triggered') return 'unchanged' as const;
          incident.acknowledge(null, ctx);
          return 'acknowledged' as const;
        },
      );
      return { kind: result, owner, incident };
    } catch (error) {
      if (error instanceof IncidentNotFound) return { kind: 'unknown' };
      throw error;
    }
  }
}
