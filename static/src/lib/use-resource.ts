// Loads one API resource; keeps the last data during silent reloads (auto-refresh).
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiResult } from '../host/host-bridge';

export type ResourceState<T> = { status: 'loading' } | { status: 'error'; message: string } | { status: 'ready'; data: T };

export interface Resource<T> {
  state: ResourceState<T>;
  /** Reloads; `silent` keeps the current data on screen and ignores a failure. */
  reload: (options?: { silent?: boolean }) => Promise<void>;
}

export function useResource<T>(load: () => Promise<ApiResult<T>>): Resource<T> {
  const [state, setState] = useState<ResourceState<T>>({ status: 'loading' });
  const generation = useRef(0);
  const stateRef = useRef(state);
  useEffect(() => {
    stateRef.current = state;
  }, [state]);

  const reload = useCallback(
    async (options?: { silent?: boolean }) => {
      const mine = ++generation.current;
      const silent = options?.silent === true && stateRef.current.status === 'ready';
      if (!silent) setState({ status: 'loading' });
      const result = await load();
      if (mine !== generation.current) return;
      if (result.ok) setState({ status: 'ready', data: result.body });
      else if (!silent) setState({ status: 'error', message: result.message });
    },
    [load],
  );

  useEffect(() => {
    // Loading the resource is what this effect is for; reload marks it loading, then sets what came back.
    // eslint-disable-next-line react-hooks/set-state-in-effect
    void reload();
    return () => {
      generation.current += 1;
    };
  }, [reload]);

  return { state, reload };
}
