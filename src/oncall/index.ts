/**
 * The on-call module's public surface. Other modules import from here only.
 *
 * - `OnCallDirectory`: who is on call for a schedule at an instant (`whoIsOnCall`), a schedule's
 *   existence and name (`schedule`), every schedule (`schedules`), `lockSchedules` for saving
 *   something that names schedules, `schedulesNaming(handle)` for the responders directory.
 * - `ScheduleUsage`: register a check so that deleting a schedule you use answers 409
 *   `SCHEDULE_IN_USE` (see schedule-usage.ts).
 * - The pure resolver (`finalShifts`, `onCallAt`) and its types, for tests and tools.
 */
export { OnCallModule } from './oncall.module';
export { OnCallDirectory } from './on-call/on-call-directory';
export type { OnCallAnswer, OnCallNowItem, ShiftView } from './on-call/on-call-directory';
export { ScheduleUsage } from './schedule-usage';
export type { ScheduleUseCheck } from './schedule-usage';
export { finalShifts, onCallAt } from './domain';
export type { Layer, Restriction, ScheduleDefinition, Shift, Override, ScheduleVersion } from './domain';
