// Used only by the TypeORM CLI (`npm run migration:*`).
import { migrations } from './migrations';
import 'reflect-metadata';
import { createDataSource } from './platform/database/data-source';

const url = process.env.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL must be set for the migration commands');
  process.exit(1);
}
export default createDataSource(url, migrations);
