import { IdbSyncError } from './idb-sync-error.js';

/**
 * The server does not accept this client's schema version for the request: the app is too old and
 * must be updated. `access` says what the server still lets this version do: `read-only` (pulls work,
 * pushes are refused; keep the outbox until the app is updated) or `none`.
 */
export class UpgradeRequiredError extends IdbSyncError {
  override readonly name = 'UpgradeRequiredError' as const;
  readonly code = 'UPGRADE_REQUIRED' as const;
  /** Never: only a newer app version can succeed. */
  readonly retryable = false as const;
  /** Never set; present so every transport error has the same shape. */
  readonly retryAfterMs: number | undefined = undefined;

  /** The protocol endpoint that was called, e.g. `/v1/push`. */
  declare readonly endpoint: string;
  /** The schema version this client sent. */
  declare readonly schemaVersion: number;
  /** What the server still allows this version, when it said so. */
  declare readonly access: 'read-only' | 'none' | undefined;

  constructor(
    endpoint: string,
    schemaVersion: number,
    access: 'read-only' | 'none' | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `The server requires a newer app than schema version ${schemaVersion}` +
        (access === undefined ? '' : ` (this version may still: ${access === 'none' ? 'nothing' : 'read'})`),
      options,
    );
    this.endpoint = endpoint;
    this.schemaVersion = schemaVersion;
    this.access = access;
  }
}
