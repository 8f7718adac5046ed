import { Module } from '@nestjs/common';
import { IncidentsModule } from '../incidents';
import { NotificationsModule } from '../notifications';
import { CalendarFeeds } from './calendar/calendar-feeds';
import { CalendarFeedController, OnCallController } from './http/on-call.controller';
import { SchedulesController } from './http/schedules.controller';
import { OnCallDirectory } from './on-call/on-call-directory';
import { ScheduleStore } from './persistence/schedule.store';
import { ScheduleUsage } from './schedule-usage';
import { ScheduleService } from './schedules/schedule.service';
import { ShiftStartNotices } from './notices/shift-start-notices';

/**
 * On-call schedules: layers of rotations with restrictions, overrides, versions kept for
 * history, the final schedule resolved by the pure `domain/`, an iCalendar feed, and
 * shift-start notices through the timers and the notification jobs.
 */
@Module({
  imports: [IncidentsModule, NotificationsModule],
  controllers: [SchedulesController, OnCallController, CalendarFeedController],
  providers: [ScheduleStore, ScheduleService, OnCallDirectory, ScheduleUsage, CalendarFeeds, ShiftStartNotices],
  exports: [OnCallDirectory, ScheduleUsage],
})
export class OnCallModule {}
