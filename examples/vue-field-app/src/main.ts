// Boots the Vue field app: reads where to sync (served by start.ts), defines the database and the
// client once, starts syncing, and mounts the app.
import { createApp } from 'vue';
import { createFieldApp, type FieldAppConfig } from '../../shared/field-app.js';
import { FieldApp } from './app.js';

const config = (await (await fetch('/field-app-config.json')).json()) as FieldAppConfig;
const { db, client } = createFieldApp({
  ...config,
  dbName: 'vue-field-app',
  serverUrl: `${location.origin}${config.serverUrl}`,
});
void client.start();
createApp(FieldApp, { db, client }).mount('#app');
