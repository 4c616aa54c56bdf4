// Starts the Vue field app (see README.md): the reference server on PGlite and the app on Vite's
// dev server.
//
//   npx tsx examples/vue-field-app/start.ts [--port 5175] [--data-dir .data/vue-field-app]
import { fileURLToPath } from 'node:url';
import { startFieldApp } from '../shared/start-field-app.js';

await startFieldApp({
  name: 'vue-field-app',
  root: fileURLToPath(new URL('./', import.meta.url)),
  defaultPort: 5175,
  optimize: ['vue'],
});
