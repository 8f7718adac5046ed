// The oncall module's migrations, for the composition root's list (src/migrations.ts).
export { OnCall1764220000000 } from './persistence/migrations/1764220000000-oncall';
