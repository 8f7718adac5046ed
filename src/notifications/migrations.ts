// The notifications module's migrations, for the composition root's list (src/migrations.ts).
export { Notifications1764190000000 } from './persistence/migrations/1764190000000-notifications';
export { MessageJobs1764210000001 } from './persistence/migrations/1764210000001-message-jobs';
