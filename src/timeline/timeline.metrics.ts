import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { Metrics } from '../platform/observability/metrics';

@Injectable()
export class TimelineMetrics {
  readonly connectedClients: Gauge;
  readonly entriesEmitted: Counter;
  readonly entriesEarly: Counter;
  readonly snapshotsEmitted: Counter;
  readonly clientsCut: Counter;

  constructor(metrics: Metrics) {
    const registers = [metrics.registry];
    this.connectedClients = new Gauge({
      name: 'sitrep_timeline_connected_clients',
      help: 'Sockets connected to the /timeline namespace of this instance',
      registers,
    });
    this.entriesEmitted = new Counter({
      name: 'sitrep_timeline_entries_emitted_total',
      help: 'Timeline entries sent to clients (one per recipient), replayed or live',
      registers,
    });
    this.entriesEarly = new Counter({
      name: 'sitrep_timeline_entries_early_total',
      help: 'Entries this instance published and delivered before its tail brought them back',
      registers,
    });
    this.snapshotsEmitted = new Counter({
      name: 'sitrep_timeline_incident_snapshots_emitted_total',
      help: 'Incident snapshots sent to clients subscribed to every incident (one per recipient)',
      registers,
    });
    this.clientsCut = new Counter({
      name: 'sitrep_timeline_clients_cut_total',
      help: 'Clients disconnected because they fell too far behind (or their subscription broke)',
      registers,
    });
  }
}
