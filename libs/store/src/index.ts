export { advisoryLockKey, lockForTransaction } from './advisory-lock.js';
export { openDatabase, type Database, type OpenDatabaseOptions, type Queryable, type QueryResult } from './database.js';
export { runMigrations, type Migration, type MigrationReport, type RunMigrationsOptions } from './migrations.js';
export { sqlStateOf } from './sql-state.js';
