import { isWorse } from '../../incidents/domain';
import type { CommandContext, Incident } from '../../incidents/domain';
import type { IncidentOp } from './alert-batch-plan';

/** Runs a plan's commands on the aggregate, in order; transitions that no longer apply are skipped. */
export function applyOps(incident: Incident, ops: IncidentOp[], ctx: CommandContext): void {
  for (const op of ops) {
    switch (op.kind) {
      case 'attach':
        incident.attachAlert({ ...op, firing: true }, ctx);
        break;
      case 'resolve':
        incident.markAlertResolved(op.alertId, ctx);
        break;
      case 'acknowledge':
        // Acknowledged already (or past it): nothing to do, as a 409 would say.
        if (incident.status === 'triggered') incident.acknowledge(op.note, ctx);
        break;
      case 'severity':
        if (isWorse(op.severity, incident.severity)) incident.changeSeverity(op.severity, 'alert', ctx);
        break;
      case 'note':
        incident.addNote(op.noteId, op.text, false, ctx);
        break;
      case 'correlate':
        incident.correlateChange(op.change, ctx);
        break;
      default: {
        const unreachable: never = op;
        throw new Error(`Unknown incident op ${JSON.stringify(unreachable)}`);
      }
    }
  }
}
