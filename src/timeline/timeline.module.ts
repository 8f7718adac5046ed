import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { TimelineController } from './timeline.controller';
import { TimelineFanout } from './timeline-fanout.consumer';
import { TimelineGateway } from './timeline.gateway';
import { TimelineMetrics } from './timeline.metrics';
import { TimelineReader } from './timeline.reader';

/**
 * The timeline is a projection of the incident event log: a REST reader, and a live feed
 * over socket.io fed by each instance's own tail of the incident-events topic.
 */
@Module({
  imports: [IncidentsModule],
  controllers: [TimelineController],
  providers: [TimelineReader, TimelineMetrics, TimelineFanout, TimelineGateway],
  exports: [TimelineReader],
})
export class TimelineModule {}
