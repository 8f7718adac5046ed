import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { NotificationsModule } from '../notifications';
import { ActionItems } from './action-items.service';
import { DailyDigest } from './daily-digest';
import { FollowupEventsConsumer } from './followup-events.consumer';
import { ActionItemsController, UpdateCadenceController } from './http/action-items.controller';
import { ActionItemStore } from './persistence/action-item.store';
import { CadenceStore } from './persistence/cadence.store';
import { UpdateCadence } from './update-cadence';

/**
 * Follow-through: one list of action items across incidents and meetings, the daily digest to
 * their owners, status updates sent to stakeholders, and the status-update cadence.
 */
@Module({
  imports: [IncidentsModule, NotificationsModule],
  controllers: [ActionItemsController, UpdateCadenceController],
  providers: [ActionItemStore, CadenceStore, ActionItems, DailyDigest, UpdateCadence, FollowupEventsConsumer],
})
export class FollowupsModule {}
