import { DependencyList, useCallback, useEffect, useRef, useState } from 'react';
import { AsyncState } from './useAsync';

/**
 * Like useAsync, and reloads every `intervalMs` while `keepPolling(value)` says so, keeping the
 * last value on screen while the next loads (no flicker). `reload()` fetches at once.
 */
export function usePolled<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  options: { intervalMs: number; keepPolling: (value: T) => boolean },
): AsyncState<T> & { reload: () => void } {
  const [state, setState] = useState<AsyncState<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const generation = useRef(0);
  const reload = useCallback(() => setTick(t => t + 1), []);

  useEffect(() => {
    setState({ status: 'loading' });
    // A new subject (another rollout): answers for the previous one are dropped.
    generation.current++;
    // The caller lists what `load` depends on.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);

  useEffect(() => {
    const mine = generation.current;
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    load().then(
      value => {
        if (cancelled || mine !== generation.current) return;
        setState({ status: 'ready', value });
        if (options.keepPolling(value)) timer = setTimeout(reload, options.intervalMs);
      },
      error => {
        if (cancelled || mine !== generation.current) return;
        setState(previous => (previous.status === 'ready' ? previous : { status: 'error', error }));
        timer = setTimeout(reload, options.intervalMs);
      },
    );
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  return { ...state, reload };
}
