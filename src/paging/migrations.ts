// The paging module's migrations, for the composition root's list (src/migrations.ts).
export { Paging1764250000001 } from './persistence/migrations/1764250000001-paging';
