import { Observable, type Unsubscribable } from '../rx/observable.js';
import { backoffDelay, retryAfterOf } from '../transport/retry-policy.js';
import { type Channel, type ChannelEvent, ChannelUnavailable } from './channel.js';
import type { ConnectionKind, PullSignal, PullSignalReason } from './pull-signal.js';
import type { ResolvedScheduling } from './scheduling-options.js';

/** How the scheduler moves between channels. */
export interface ChannelPolicy {
  /** Consecutive failed connects of a channel before falling back to the next one. */
  readonly fallbackAfterFailures: number;
  /** Delay before trying to return to a better channel after a fallback, in milliseconds. */
  readonly upgradeAfterMs: number;
}

class ChannelClosed extends Error {
  override readonly name = 'ChannelClosed';
}

/** One subscription to a channel, as the current one or as an upgrade probe. */
interface Route {
  readonly level: number;
  role: 'current' | 'probe' | 'dead';
  sub?: Unsubscribable;
}

type TimerName = 'reconnect' | 'upgrade' | 'retry' | 'deferred';

/**
 * The scheduling core shared by every listener. It runs the best of `channels` (ordered best
 * first) while the environment is active, and turns what happens into {@link PullSignal}s:
 * - activation (subscribe, back online, visible again) ⇒ one signal at once (`start`/`online`/`visible`);
 *   deactivation (offline, hidden, unless configured to continue) closes the channel and stops all timers;
 * - a channel that opens ⇒ `connected` (changes may have been missed meanwhile), a poke ⇒ `poke`,
 *   a polling tick ⇒ `interval` (skipped while pulls are failing);
 * - a channel that fails is reconnected after a full-jitter backoff delay; after
 *   `fallbackAfterFailures` consecutive failures (or at once when the server does not offer it) the
 *   next channel takes over, and every `upgradeAfterMs` the better ones are probed in the
 *   background: the first that opens takes over again;
 * - a failed pull (reported through `pullOutcomes`) ⇒ a `retry` signal after a backoff delay;
 * - a server `Retry-After` (an error's `retryAfterMs`) holds every signal and reconnect until it has
 *   passed; signals held meanwhile are merged into one.
 */
export function pullScheduler(
  channels: readonly Channel[],
  scheduling: ResolvedScheduling,
  policy: ChannelPolicy,
  onKind?: (kind: ConnectionKind) => void,
): Observable<PullSignal> {
  return new Observable<PullSignal>((subscriber) => {
    const { scheduler, retry, random } = scheduling;
    const timers = new Map<TimerName, Unsubscribable>();
    let active = false;
    let activating = false;
    let level = 0;
    let connectFailures = 0;
    let pullFailures = 0;
    let notBefore = Number.NEGATIVE_INFINITY;
    let kind: ConnectionKind = 'offline';
    let current: Route | undefined;
    let probe: Route | undefined;
    let held: PullSignal | undefined;

    const setTimer = (name: TimerName, delay: number, work: () => void) => {
      timers.get(name)?.unsubscribe();
      timers.set(
        name,
        scheduler.schedule(
          () => {
            timers.delete(name);
            work();
          },
          Math.max(0, delay),
        ),
      );
    };
    const clearTimer = (name: TimerName) => {
      timers.get(name)?.unsubscribe();
      timers.delete(name);
    };

    const setKind = (next: ConnectionKind) => {
      if (next === kind) return;
      kind = next;
      onKind?.(next);
    };

    /** Delay before the next attempt after `failures` failures, honouring any Retry-After. */
    const delayFor = (failures: number, error: unknown): number => {
      const now = scheduler.now();
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) {
        notBefore = Math.max(notBefore, now + Math.min(retryAfter, retry.maxRetryAfterMs));
      }
      return Math.max(backoffDelay(failures, retry, random), notBefore - now);
    };

    const emit = (reason: PullSignalReason, collections?: readonly string[]) => {
      const signal: PullSignal =
        collections === undefined ? { reason, transport: kind } : { reason, collections, transport: kind };
      const wait = notBefore - scheduler.now();
      if (wait <= 0) {
        subscriber.next(signal);
        return;
      }
      held = held === undefined ? signal : mergeSignals(held, signal);
      if (!timers.has('deferred')) {
        setTimer('deferred', wait, () => {
          const release = held;
          held = undefined;
          if (release !== undefined && active) subscriber.next({ ...release, transport: kind });
        });
      }
    };

    const kill = (route: Route | undefined) => {
      if (route === undefined) return;
      route.role = 'dead';
      route.sub?.unsubscribe();
    };

    const connect = (at: number, role: 'current' | 'probe'): Route => {
      const route: Route = { level: at, role };
      const channel = channels[at]!;
      const sub = channel.connect().subscribe({
        next: (event) => onEvent(route, event),
        error: (error: unknown) => onEnd(route, error),
        complete: () => onEnd(route, new ChannelClosed('The channel closed')),
      });
      route.sub = sub;
      if (route.role === 'dead') sub.unsubscribe();
      return route;
    };

    const start = (at: number) => {
      clearTimer('reconnect');
      kill(current);
      level = at;
      setKind(channels[at]!.kind);
      current = connect(at, 'current');
    };

    const scheduleUpgrade = () => {
      if (level === 0 || timers.has('upgrade')) return;
      setTimer('upgrade', policy.upgradeAfterMs, () => probeFrom(0));
    };

    /** Tries the channels better than the current one, best first, one at a time. */
    const probeFrom = (at: number) => {
      if (at >= level) {
        scheduleUpgrade();
        return;
      }
      probe = connect(at, 'probe');
    };

    const onEvent = (route: Route, event: ChannelEvent) => {
      if (route.role === 'probe') {
        if (event.type !== 'open') return;
        // The better channel works again: it takes over, the fallback closes.
        probe = undefined;
        clearTimer('reconnect');
        kill(current);
        route.role = 'current';
        current = route;
        level = route.level;
        connectFailures = 0;
        setKind(channels[route.level]!.kind);
        emit('connected');
        scheduleUpgrade();
        return;
      }
      if (route.role !== 'current') return;
      switch (event.type) {
        case 'open':
          connectFailures = 0;
          if (!activating) emit('connected');
          scheduleUpgrade();
          return;
        case 'poke':
          emit('poke', [event.collection]);
          return;
        case 'tick':
          if (pullFailures === 0 && !timers.has('deferred')) emit('interval');
          return;
      }
    };

    const onEnd = (route: Route, error: unknown) => {
      const role = route.role;
      route.role = 'dead';
      if (role === 'probe') {
        probe = undefined;
        probeFrom(route.level + 1);
        return;
      }
      if (role !== 'current') return;
      current = undefined;
      const last = route.level === channels.length - 1;
      if (error instanceof ChannelUnavailable && !last) {
        connectFailures = 0;
        start(route.level + 1);
        scheduleUpgrade();
        return;
      }
      connectFailures += 1;
      const delay = delayFor(connectFailures, error);
      if (connectFailures >= policy.fallbackAfterFailures && !last) {
        connectFailures = 0;
        start(route.level + 1);
        scheduleUpgrade();
        return;
      }
      setTimer('reconnect', delay, () => start(route.level));
    };

    const activate = (reason: PullSignalReason) => {
      active = true;
      activating = true;
      connectFailures = 0;
      pullFailures = 0;
      level = 0;
      setKind(channels[0]!.kind);
      emit(reason);
      start(0);
      activating = false;
    };

    const deactivate = () => {
      active = false;
      kill(current);
      kill(probe);
      current = undefined;
      probe = undefined;
      held = undefined;
      for (const name of [...timers.keys()]) clearTimer(name);
      setKind('offline');
    };

    // Once both are known, every change of either: active while online and visible.
    let online: boolean | undefined = scheduling.whenOffline === 'continue' ? true : undefined;
    let visible: boolean | undefined = scheduling.whenHidden === 'continue' ? true : undefined;
    let wasOnline: boolean | undefined;
    const follow = () => {
      if (online === undefined || visible === undefined) return;
      const nowActive = online && visible;
      const before = wasOnline;
      wasOnline = online;
      if (nowActive === active) return;
      if (!nowActive) {
        deactivate();
        return;
      }
      activate(before === undefined ? 'start' : before === false ? 'online' : 'visible');
    };
    const environment: Unsubscribable[] = [];
    if (online === undefined) {
      environment.push(
        scheduling.environment.online$.subscribe({
          next: (value) => {
            online = value;
            follow();
          },
        }),
      );
    }
    if (visible === undefined) {
      environment.push(
        scheduling.environment.visible$.subscribe({
          next: (value) => {
            visible = value;
            follow();
          },
        }),
      );
    }
    follow();

    const outcomes = scheduling.pullOutcomes?.subscribe({
      next: (outcome) => {
        if (!active) return;
        if (outcome.ok) {
          pullFailures = 0;
          clearTimer('retry');
          return;
        }
        pullFailures += 1;
        setTimer('retry', delayFor(pullFailures, outcome.error), () => emit('retry'));
      },
    });

    return () => {
      for (const subscription of environment) subscription.unsubscribe();
      outcomes?.unsubscribe();
      deactivate();
    };
  });
}

function mergeSignals(a: PullSignal, b: PullSignal): PullSignal {
  if (a.collections === undefined || b.collections === undefined)
    return { reason: a.reason, transport: b.transport };
  const collections = [...new Set([...a.collections, ...b.collections])];
  return { reason: a.reason, collections, transport: b.transport };
}
