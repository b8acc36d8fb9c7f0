/**
 * What the unlocked views share: the item list, the stores, and the running sync with its progress.
 * Held above the views so switching views neither reloads 10,000 items nor loses a sync's progress.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ItemSummary, StoreView, SyncOutcome, SyncProgressEvent } from '../../preload/api';
import { api, failureOf, type ApiFailure } from './api';

export interface Loaded<T> {
  readonly value: T | null;
  readonly failure: ApiFailure | null;
}

function useLoader<T>(load: () => Promise<T>): [Loaded<T>, () => void, (value: T) => void] {
  const [state, setState] = useState<Loaded<T>>({ value: null, failure: null });
  const generation = useRef(0);
  const reload = useCallback(() => {
    const mine = ++generation.current;
    load().then(
      (value) => {
        if (mine === generation.current) setState({ value, failure: null });
      },
      (error: unknown) => {
        if (mine === generation.current)
          setState((current) => ({ value: current.value, failure: failureOf(error) }));
      },
    );
  }, [load]);
  const replace = useCallback((value: T) => {
    generation.current++;
    setState({ value, failure: null });
  }, []);
  useEffect(() => {
    reload();
    return () => {
      generation.current++;
    };
  }, [reload]);
  return [state, reload, replace];
}

const loadItems = () => api().listItems();
const loadStores = () => api().listStores();

export interface SyncRun {
  readonly running: boolean;
  /** The store the running (or last) sync is for; null for all of them. */
  readonly target: string | null;
  /** The latest progress per store while a sync runs. */
  readonly progress: ReadonlyMap<string, SyncProgressEvent>;
  readonly outcomes: readonly SyncOutcome[] | null;
  readonly failure: ApiFailure | null;
  readonly finishedAt: number | null;
}

export interface VaultData {
  readonly items: Loaded<ItemSummary[]>;
  readonly stores: Loaded<StoreView[]>;
  readonly reloadItems: () => void;
  readonly reloadStores: () => void;
  readonly replaceStores: (stores: StoreView[]) => void;
  readonly sync: SyncRun;
  /** Syncs one store, or all of them; does nothing while a sync runs. */
  readonly startSync: (store?: string) => void;
}

export function useVaultData(): VaultData {
  const [items, reloadItems] = useLoader(loadItems);
  const [stores, reloadStores, replaceStores] = useLoader(loadStores);
  const [sync, setSync] = useState<SyncRun>({
    running: false,
    target: null,
    progress: new Map(),
    outcomes: null,
    failure: null,
    finishedAt: null,
  });
  const running = useRef(false);
  const pending = useRef(new Map<string, SyncProgressEvent>());
  const frame = useRef<number | undefined>(undefined);

  useEffect(() => {
    // Progress can arrive hundreds of times a second: draw it at most once a frame.
    const unsubscribe = api().on('syncProgress', (event) => {
      // A sync started elsewhere (the CLI, the agent's schedule) changes the lists too.
      if (event.done && !running.current) {
        reloadItems();
        reloadStores();
      }
      pending.current.set(event.store, event);
      if (frame.current !== undefined) return;
      frame.current = window.requestAnimationFrame(() => {
        frame.current = undefined;
        const batch = new Map(pending.current);
        pending.current.clear();
        setSync((current) => {
          const progress = new Map(current.progress);
          for (const [store, value] of batch) progress.set(store, value);
          return { ...current, progress };
        });
      });
    });
    return () => {
      unsubscribe();
      if (frame.current !== undefined) window.cancelAnimationFrame(frame.current);
    };
  }, [reloadItems, reloadStores]);

  const startSync = useCallback(
    (store?: string) => {
      if (running.current) return;
      running.current = true;
      setSync({
        running: true,
        target: store ?? null,
        progress: new Map(),
        outcomes: null,
        failure: null,
        finishedAt: null,
      });
      const call = store === undefined ? api().syncNow() : api().syncNow(store);
      call
        .then(
          (outcomes) =>
            setSync((current) => ({ ...current, running: false, outcomes, finishedAt: Date.now() })),
          (error: unknown) =>
            setSync((current) => ({
              ...current,
              running: false,
              failure: failureOf(error),
              finishedAt: Date.now(),
            })),
        )
        .finally(() => {
          running.current = false;
          reloadItems();
          reloadStores();
        });
    },
    [reloadItems, reloadStores],
  );

  return { items, stores, reloadItems, reloadStores, replaceStores, sync, startSync };
}
