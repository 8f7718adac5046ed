// The followups module's migrations, for the composition root's list (src/migrations.ts).
export { Followups1764260000000 } from './persistence/migrations/1764260000000-followups';
