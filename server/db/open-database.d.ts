import type { Database } from './database.js';
/** Where the server's data lives: PostgreSQL when `databaseUrl` is set, else PGlite (on disk or in memory). */
export interface DatabaseLocation {
    databaseUrl?: string | undefined;
    pgSchema?: string | undefined;
    dataDir?: string | undefined;
}
/** Opens the database the options point at. */
export declare function openDatabase(location: DatabaseLocation): Promise<Database>;
