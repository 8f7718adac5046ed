// The automations module's migrations, for the composition root's list (src/migrations.ts).
export { Automations1764280000000 } from './persistence/migrations/1764280000000-automations';
