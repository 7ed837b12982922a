// Reading the API and keeping what was read live: load once, then read again (at most every
// `throttleMs`) when an event the view cares about arrives after the checkpoint its data reflects.
// A read answered at an older checkpoint than the newest relevant event is repeated, so a view
// never rests on data the stream has already moved past.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";
import { type LiveEvent, live } from "./live.ts";

export type Resource<T> = { data: T | undefined; error: ApiError | undefined; reload: () => void };

type Tracker = {
  inflight: boolean;
  timer: ReturnType<typeof setTimeout> | null;
  last: number;
  checkpoint: number;
  dirty: number;
  alive: boolean;
};

/** An error as an ApiError (network failures included). */
export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError
    ? err
    : new ApiError(0, "NETWORK", err instanceof Error ? err.message : String(err));
}

/**
 * Keep the checkpoint bookkeeping of a live read: `schedule()` reads again soon; `mark(batch)` asks
 * for a read when an event of interest is newer than the data.
 */
export function useLiveReader(
  read: () => Promise<number | undefined>,
  relevant: (e: LiveEvent) => boolean,
  deps: readonly unknown[],
  throttleMs = 400,
): { schedule: () => void } {
  const t = useRef<Tracker>({ inflight: false, timer: null, last: 0, checkpoint: 0, dirty: 0, alive: true });
  const api = useRef({ schedule: () => {} });
  useEffect(() => {
    const s = t.current;
    s.alive = true;
    s.checkpoint = 0;
    s.dirty = 0;
    const run = async () => {
      s.inflight = true;
      s.last = Date.now();
      try {
        const cp = await read();
        if (cp !== undefined) s.checkpoint = Math.max(s.checkpoint, cp);
      } finally {
        s.inflight = false;
        if (s.alive && s.dirty > s.checkpoint) schedule();
      }
    };
    const schedule = () => {
      if (!s.alive || s.timer || s.inflight) return;
      const wait = Math.max(0, s.last + throttleMs - Date.now());
      s.timer = setTimeout(() => {
        s.timer = null;
        void run();
      }, wait);
    };
    api.current.schedule = () => {
      s.dirty = Math.max(s.dirty, s.checkpoint + 1);
      schedule();
    };
    void run();
    const off = live.subscribe((batch) => {
      let newest = 0;
      for (const e of batch) if (e.seq > s.checkpoint && relevant(e)) newest = Math.max(newest, e.seq);
      if (newest > s.dirty) {
        s.dirty = newest;
        schedule();
      }
    });
    return () => {
      s.alive = false;
      off();
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
    };
  }, deps);
  return api.current;
}

/** One API read kept live (see useLiveReader). */
export function useResource<T extends { checkpoint: number }>(
  load: () => Promise<T>,
  relevant: (e: LiveEvent) => boolean,
  deps: readonly unknown[],
  throttleMs = 400,
): Resource<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError }>({});
  useEffect(() => setState({}), deps);
  const { schedule } = useLiveReader(
    async () => {
      try {
        const data = await load();
        setState({ data });
        return data.checkpoint;
      } catch (err) {
        setState((s) => ({ ...s, error: asApiError(err) }));
        return undefined;
      }
    },
    relevant,
    deps,
    throttleMs,
  );
  return { data: state.data, error: state.error, reload: schedule };
}

/** Re-render at most every `ms` while events arrive (for views drawn from the feed itself). */
export function useLiveTick(ms = 250): number {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = live.subscribe(() => {
      timer ??= setTimeout(() => {
        timer = null;
        setTick((n) => n + 1);
      }, ms);
    });
    return () => {
      off();
      if (timer) clearTimeout(timer);
    };
  }, [ms]);
  return tick;
}
