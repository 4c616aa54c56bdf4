// The one public entry of idb-sync: every public name is listed here, nothing else is exported.
// Internals stay internal. Keep sections in this order; add names to your area's section.

// --- errors
export { isSyncError, SyncError } from './errors/sync-error.js';
export { isUpgradeBlockedError, UpgradeBlockedError } from './errors/upgrade-blocked-error.js';

// --- db

// --- upversion

// --- protocol

// --- transport

// --- sync

// --- listeners
