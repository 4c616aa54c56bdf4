// Boots the field app: reads where to sync (served by start.ts), defines the database and the
// client once, starts syncing, and renders under StrictMode.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createFieldApp, type FieldAppConfig } from '../../shared/field-app.js';
import { FieldApp } from './app.js';

const config = (await (await fetch('/field-app-config.json')).json()) as FieldAppConfig;
const { db, client } = createFieldApp({ ...config, serverUrl: `${location.origin}${config.serverUrl}` });
void client.start();

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <FieldApp db={db} client={client} />
  </StrictMode>,
);
