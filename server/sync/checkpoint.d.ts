import type { PullFilter } from '../../src/protocol/messages.js';
/**
 * What a checkpoint token carries. Tokens are opaque to clients: base64url JSON plus an HMAC-SHA256
 * signature, bound to the database epoch, the user, the collection and the filter, so a forged,
 * tampered or borrowed token is refused (`INVALID_CHECKPOINT`) and never served.
 */
export type CheckpointState = 
/** In a snapshot that started at change-log position `seq`; records with id > `after` remain. */
{
    mode: 'snapshot';
    seq: number;
    after: string | null;
    total: number;
}
/** Following the change log after position `seq`. */
 | {
    mode: 'changes';
    seq: number;
};
/** Who a token belongs to; all of it must match when the token comes back. */
export interface CheckpointBinding {
    epoch: string;
    userId: string;
    collection: string;
    filter: PullFilter | undefined;
}
/** Signs `state` into a token for `binding`. */
export declare function encodeCheckpoint(secret: string, binding: CheckpointBinding, state: CheckpointState): string;
/**
 * Verifies and decodes a token. A token from another database epoch (the database was reinstalled
 * or restored) is `RESET_REQUIRED`: the client must do a full sync; any other mismatch is
 * `INVALID_CHECKPOINT`.
 */
export declare function decodeCheckpoint(secret: string, binding: CheckpointBinding, token: string): CheckpointState;
