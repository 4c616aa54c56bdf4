// The free names JSDoc examples lean on, declared once for scripts/check-examples.mjs (a global
// script: no imports or exports, so every example module sees these names and may shadow them).

type ExampleAppSchema = {
  work_orders: {
    key: string;
    value: { id: string; title: string; status?: string; updatedAt?: string };
    kind: 'transactional';
  };
  customers: { key: string; value: { id: string; name: string; note?: string }; kind: 'transactional' };
  service_types: {
    key: string;
    value: { id: string; code: string; name: string; category: string; price: number; tokens?: string[] };
    indexes: { byToken: string; byCategory: string; byPrice: number };
    kind: 'lookup';
  };
};
/** The schema of the examples' app (an `interface AppSchema extends DBSchema` in an app). */
type AppSchema = ExampleAppSchema;

declare const appDb: import('idb-sync').DatabaseHandle<AppSchema>;
declare const baseUrl: string;
declare const token: string;
declare const userId: string;
declare const getToken: import('idb-sync').GetToken;
declare const versions: import('idb-sync').VersionList<AppSchema>;
declare function render(value: unknown): void;
declare function notify(message: string): void;
declare const auth: { token(options: { forceRefresh: boolean }): Promise<string> };
declare const session: { readonly token: string };
