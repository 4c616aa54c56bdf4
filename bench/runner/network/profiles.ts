/**
 * A network the benchmark's browsers reach the sync server over (see shaping-link.ts for the model).
 * Every implementation crosses the same link, one workload at a time.
 */
export interface NetworkProfile {
  readonly id: string;
  /** Round trip added to every exchange: half on the way to the server, half on the way back. */
  readonly rttMs: number;
  /** Link rate in each direction (bits per second); absent: unlimited. */
  readonly bitsPerSecond?: number;
  /** One line for the report. */
  readonly label: string;
}

/** The profiles of issue #17: where the SDK's users are (site Wi-Fi, cellular), and loopback. */
export const networkProfiles = {
  loopback: { id: 'loopback', rttMs: 0, label: 'loopback: 127.0.0.1, no shaping' },
  wifi: { id: 'wifi', rttMs: 30, bitsPerSecond: 40e6, label: 'wifi: 30 ms round trip, 40 Mbit/s' },
  cellular: {
    id: 'cellular',
    rttMs: 150,
    bitsPerSecond: 4e6,
    label: 'cellular: 150 ms round trip, 4 Mbit/s',
  },
} as const satisfies Record<string, NetworkProfile>;

export type ProfileId = keyof typeof networkProfiles;

export const profileIds = Object.keys(networkProfiles) as ProfileId[];

/** The profile a figure was measured under when its results file predates profiles. */
export const defaultProfileId: ProfileId = 'loopback';

/** Whether `profile` delays or limits anything (loopback only counts bytes). */
export const isShaped = (profile: NetworkProfile): boolean =>
  profile.rttMs > 0 || profile.bitsPerSecond !== undefined;
