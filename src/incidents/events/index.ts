export * from './incident-event.message';
export * from './describe-event';
export * from './incident-event.consumer';
