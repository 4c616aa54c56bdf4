/**
 * Mistakes a protocol server can make, each switchable on the in-memory server, so the conformance
 * kit can be shown to catch it:
 * - `skip-under-concurrency`: a write takes its change-log position before its (simulated) I/O and
 *   becomes visible after it, with no lock between writers: a later position can be seen while an
 *   earlier one is still in flight, and a reader that pages past it skips that change forever.
 * - `apply-retries-twice`: no exactly-once bookkeeping: a retried mutation id is applied again.
 * - `accept-forged-checkpoint`: checkpoints are read without checking their signature or whom they
 *   were issued to (user, collection, filter).
 * - `local-pokes`: with several instances on one store, an instance pokes only for the changes
 *   written through itself (an in-process bus where a shared one, e.g. LISTEN/NOTIFY, is needed).
 */
export type Fault =
  | 'skip-under-concurrency'
  | 'apply-retries-twice'
  | 'accept-forged-checkpoint'
  | 'local-pokes';
