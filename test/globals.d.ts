declare global {
  /** Which IndexedDB implementation the client suite runs on; lets a test name a backend-specific workaround. */
  var __IDB_BACKEND__: 'fake-indexeddb' | 'indexeddbshim' | undefined;
}

export {};
