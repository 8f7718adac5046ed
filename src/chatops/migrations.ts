// The chatops module's migrations, for the composition root's list (src/migrations.ts).
export { Chatops1764230000000 } from './persistence/migrations/1764230000000-chatops';
