import type { Check } from '../check.js';
import { authChecks } from './auth.js';
import { badInputChecks } from './bad-input.js';
import { capabilitiesChecks } from './capabilities.js';
import { checkpointChecks } from './checkpoints.js';
import { concurrencyChecks } from './concurrency.js';
import { conflictChecks } from './conflicts.js';
import { contentChecks } from './content.js';
import { conventionChecks } from './conventions.js';
import { exactlyOnceChecks } from './exactly-once.js';
import { pagingChecks } from './paging.js';
import { byteBudgetCheck } from './paging-bytes.js';
import { pagingRevisitChecks } from './paging-revisits.js';
import { scaleOutChecks } from './scale-out.js';
import { schemaVersionChecks } from './schema-versions.js';
import { sseChecks } from './sse.js';
import { tombstoneChecks } from './tombstones.js';
import { websocketChecks } from './websocket.js';

/** Every check, in run order (the conventions scan the whole run, so they come last). */
export const ALL_CHECKS: readonly Check[] = [
  ...capabilitiesChecks,
  ...pagingChecks,
  ...pagingRevisitChecks,
  byteBudgetCheck,
  ...checkpointChecks,
  ...exactlyOnceChecks,
  ...conflictChecks,
  ...contentChecks,
  ...tombstoneChecks,
  ...schemaVersionChecks,
  ...authChecks,
  ...badInputChecks,
  ...sseChecks,
  ...websocketChecks,
  ...concurrencyChecks,
  ...scaleOutChecks,
  ...conventionChecks,
];
