// The postmortems module's migrations, for the composition root's list (src/migrations.ts).
export { Postmortems1764200000000 } from './persistence/migrations/1764200000000-postmortems';
