/** The one timer mechanism (ARCHITECTURE property 10): see the note at the top of timers.ts. */
export { Timers } from './timers';
export type { Timer, TimerHandler, TimerSpec, TimerSettings } from './timer';
