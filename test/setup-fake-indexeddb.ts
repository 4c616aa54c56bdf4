// Installs fake-indexeddb's globals (indexedDB, IDBKeyRange, …) for the client suite.
import 'fake-indexeddb/auto';

globalThis.__IDB_BACKEND__ = 'fake-indexeddb';
