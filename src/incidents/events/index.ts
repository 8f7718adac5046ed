export * from './incident-event.message';
export * from './describe-event';
