// Starts the React field app (see README.md): the reference server on PGlite and the app on Vite's
// dev server with @vitejs/plugin-react.
//
//   npx tsx examples/react-field-app/start.ts [--port 5174] [--data-dir .data/react-field-app]
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { startFieldApp } from '../shared/start-field-app.js';

await startFieldApp({
  name: 'react-field-app',
  root: fileURLToPath(new URL('./', import.meta.url)),
  defaultPort: 5174,
  plugins: [react()],
  optimize: ['react', 'react-dom/client'],
});
