export * from './schedule-definition';
export * from './local-time';
export * from './rotation';
export * from './restrictions';
export * from './final-schedule';
export * from './instant';
