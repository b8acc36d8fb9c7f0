/**
 * Syncing 10,000 items from a Vault-compatible store (the test server, run in its own process so
 * it does not share our event loop): the first sync into an empty vault, and a sync where nothing
 * changed. Floors: a bare HTTP client (node:http, keep-alive, 8 sockets, an 8-wide pool) making
 * the same requests to the same server and parsing every JSON body, interleaved with the real
 * sync. Also: the event loop's longest stalls during the network phase (`syncStore`: plan and
 * apply) and during the save, recorded by a 1 ms interval timer that runs in every step, floors
 * included.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../main/core/crypto/secret';
import type { applySync } from '../../main/core/sync/engine';
import { validateStoreConfig, type StoreConfig } from '../../main/core/sync/store-config';
import {
  DEFAULT_SYNC_SETTINGS,
  syncStore,
  tokenKey,
  type StoreSyncResult,
} from '../../main/core/sync/sync-store';
import type { KdfParams } from '../../main/core/crypto/kdf';
import { VaultStore } from '../../main/core/vault/vault-store';
import { interleave, ms, nowMs, summary, type BenchRow } from './measure';
import { startServer, stopServer, type ServerProcess } from './vault-server-process';
import { median, percentile } from './stats';

const ITEMS = 10_000;
const PROJECTS = 10;
const ENVIRONMENTS = 2;
/** teams/, teams/<project>/, teams/<project>/<env>/. */
const FOLDERS = 1 + PROJECTS + PROJECTS * ENVIRONMENTS;
const FULL_ROUNDS = 5;
const NO_CHANGE_ROUNDS = 9;
const CONCURRENCY = 8;
const TARGET_RATIO = 1.5;
const TARGET_STALL_MS = 20;
const STORE = 'bench';
const PASSWORD = 'correct horse battery staple';
const CHEAP_KDF: KdfParams = { memoryKiB: 65536, iterations: 2, parallelism: 1 };

/**
 * The floor: node:http with a keep-alive agent of 8 sockets, every body read and JSON.parse'd,
 * nothing else (no retries, no timeouts, no shape checks, no secrets).
 */
class BareClient {
  readonly #agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  readonly #host: string;
  readonly #port: number;
  requests = 0;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    const u = new URL(url);
    this.#host = u.hostname;
    this.#port = Number(u.port);
  }

  get(path: string): Promise<unknown> {
    this.requests++;
    return new Promise((resolvePromise, reject) => {
      const req = request(
        {
          host: this.#host,
          port: this.#port,
          path,
          agent: this.#agent,
          headers: { 'X-Vault-Token': this.token },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            if (res.statusCode !== 200) {
              reject(new Error(`bare client: GET ${path} answered ${String(res.statusCode)}`));
              return;
            }
            try {
              resolvePromise(JSON.parse(Buffer.concat(chunks).toString('utf8')));
            } catch (error) {
              reject(error instanceof Error ? error : new Error(String(error)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  async list(folder: string): Promise<string[]> {
    const body = (await this.get(`/v1/secret/metadata/${folder}?list=true`)) as { data: { keys: string[] } };
    return body.data.keys;
  }

  close(): void {
    this.#agent.destroy();
  }
}

/** Runs `fn` over `items` with at most `width` calls in flight. */
async function pool<T, R>(items: readonly T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/**
 * What the sync asks the store for, done barely: the token lookup the sync starts with (it makes
 * two), every folder listed level by level, then every item's metadata and — for `full` — the
 * current version's data.
 */
async function bareSync(client: BareClient, full: boolean): Promise<void> {
  await client.get('/v1/auth/token/lookup-self');
  await client.get('/v1/auth/token/lookup-self');
  const projects = (await client.list('teams/')).map((p) => `teams/${p}`);
  const envs = (await pool(projects, CONCURRENCY, (p) => client.list(p))).flatMap((keys, i) =>
    keys.map((k) => `${projects[i]!}${k}`),
  );
  const items = (await pool(envs, CONCURRENCY, (e) => client.list(e))).flatMap((keys, i) =>
    keys.map((k) => `${envs[i]!}${k}`),
  );
  if (items.length !== ITEMS) throw new Error(`bare client: listed ${items.length} items, not ${ITEMS}`);
  await pool(items, CONCURRENCY, async (path) => {
    const meta = (await client.get(`/v1/secret/metadata/${path}`)) as { data: { current_version: number } };
    if (full) await client.get(`/v1/secret/data/${path}?version=${meta.data.current_version}`);
  });
}

/**
 * A 1 ms interval timer that records every gap between its ticks. A tick that comes late means
 * the event loop was busy: the lateness is the stall. Gaps are attributed to phases afterwards
 * by time, so a synchronous block is charged to the phase it happened in, even when the tick that
 * reveals it fires after the phase has ended.
 */
class StallRecorder {
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  #last = 0;
  #timer: NodeJS.Timeout | undefined;

  start(): void {
    this.#last = nowMs();
    this.#timer = setInterval(() => {
      const now = nowMs();
      this.#starts.push(this.#last);
      this.#ends.push(now);
      this.#last = now;
    }, 1);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /**
   * The stalls within [from, to]: for each tick overlapping it, how late the tick was (its gap
   * minus the 1 ms period), clipped to the part of the gap inside the window.
   */
  within(from: number, to: number): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.#ends.length; i++) {
      const start = this.#starts[i]!;
      const end = this.#ends[i]!;
      if (end < from || start > to) continue;
      const late = Math.max(0, end - start - 1);
      out.push(Math.min(late, Math.min(end, to) - Math.max(start, from)));
    }
    return out;
  }
}

interface Window {
  readonly from: number;
  readonly to: number;
}

interface SyncRun {
  readonly sync: Window;
  readonly apply: Window;
  readonly save: Window;
  readonly change: Window;
  readonly result: StoreSyncResult;
}

interface Expected {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
}

function check(result: StoreSyncResult, expected: Expected, what: string): void {
  if (!result.ok || result.counts === undefined) {
    throw new Error(
      `${what}: the sync failed: ${result.error?.code ?? '?'}: ${result.error?.message ?? '?'}`,
    );
  }
  const c = result.counts;
  const want = { ...expected, removed: 0, refused: 0, refusedProduction: 0 };
  if (Object.entries(want).some(([k, v]) => c[k as keyof typeof c] !== v)) {
    throw new Error(`${what}: the sync counted ${JSON.stringify(c)}, expected ${JSON.stringify(want)}`);
  }
}

/**
 * Records when each `applySync` ran (a synchronous block inside `syncStore`). Compiled CommonJS
 * calls `engine_1.applySync(...)` through the module object, so the wrapper is what `syncStore`
 * runs. Returns a function that puts the original back.
 */
function recordApply(into: Window[]): () => void {
  const engine = require('../../main/core/sync/engine') as { applySync: typeof applySync };
  const bare = engine.applySync;
  engine.applySync = (...args) => {
    const from = nowMs();
    try {
      return bare(...args);
    } finally {
      into.push({ from, to: nowMs() });
    }
  };
  return () => {
    engine.applySync = bare;
  };
}

class SyncRunner {
  readonly runs: SyncRun[] = [];
  readonly #applies: Window[] = [];
  readonly #restore: () => void;
  readonly #config: StoreConfig;

  constructor(
    url: string,
    private readonly token: string,
  ) {
    this.#config = validateStoreConfig({
      name: STORE,
      kind: 'vault',
      addr: url,
      mount: 'secret',
      layout: 'teams/{project}/{env}/{item}',
      filters: [],
      auth: { method: 'token' },
    });
    this.#restore = recordApply(this.#applies);
  }

  /** One `store.change` that syncs; checks the counts and records the phases. */
  async sync(store: VaultStore, expected: Expected, what: string): Promise<void> {
    let sync: Window | undefined;
    let save: Window | undefined;
    const bareSave = store.save.bind(store);
    store.save = async (vault, hook) => {
      const from = nowMs();
      await bareSave(vault, hook);
      save = { from, to: nowMs() };
    };
    const appliesBefore = this.#applies.length;
    const changeFrom = nowMs();
    let result: StoreSyncResult;
    try {
      result = await store.change(Buffer.from(PASSWORD), async (vault) => {
        vault.setSystemSecret(tokenKey(STORE), Secret.fromString(this.token));
        const from = nowMs();
        const r = await syncStore(vault, this.#config, {
          ...DEFAULT_SYNC_SETTINGS,
          concurrency: CONCURRENCY,
        });
        sync = { from, to: nowMs() };
        return r;
      });
    } finally {
      store.save = bareSave;
    }
    const change = { from: changeFrom, to: nowMs() };
    check(result, expected, what);
    const apply = this.#applies[appliesBefore];
    if (
      sync === undefined ||
      save === undefined ||
      apply === undefined ||
      this.#applies.length !== appliesBefore + 1
    ) {
      throw new Error(
        `${what}: syncStore no longer calls applySync through the engine module, or the change did not save`,
      );
    }
    this.runs.push({ sync, apply, save, change, result });
  }

  close(): void {
    this.#restore();
  }
}

/** Every /v1/ request the server saw since the last clear, as sorted "METHOD path?query" lines. */
async function serverLog(server: ServerProcess): Promise<string[]> {
  const res = await fetch(`${server.url}/__control/requests`, {
    headers: { 'X-Vault-Token': server.rootToken },
  });
  const body = (await res.json()) as { requests: { method: string; path: string; query?: string }[] };
  return body.requests.map((r) => `${r.method} ${r.path}${r.query ? `?${r.query}` : ''}`).sort();
}

async function clearServerLog(server: ServerProcess): Promise<void> {
  const res = await fetch(`${server.url}/__control/requests/clear`, {
    method: 'POST',
    headers: { 'X-Vault-Token': server.rootToken, 'content-type': 'application/json' },
    body: '{}',
  });
  if (!res.ok) throw new Error(`clearing the server's request log answered ${res.status}`);
  await res.arrayBuffer();
}

/** Fails unless the bare client and the sync made exactly the same requests. */
function sameRequests(floor: readonly string[], real: readonly string[], what: string): void {
  if (floor.length === real.length && floor.every((line, i) => line === real[i])) return;
  const inFloor = new Set(floor);
  const inReal = new Set(real);
  const onlyReal = real.filter((l) => !inFloor.has(l)).slice(0, 3);
  const onlyFloor = floor.filter((l) => !inReal.has(l)).slice(0, 3);
  throw new Error(
    `${what}: the bare client made ${floor.length} requests and the sync ${real.length}; ` +
      `only the sync: ${JSON.stringify(onlyReal)}, only the bare client: ${JSON.stringify(onlyFloor)}`,
  );
}

interface StallFigures {
  readonly max: number;
  readonly p99: number;
}

function stalls(recorder: StallRecorder, windows: readonly Window[]): StallFigures {
  const all = windows.flatMap((w) => recorder.within(w.from, w.to));
  return { max: Math.max(0, ...all), p99: all.length > 0 ? percentile(all, 99) : 0 };
}

function stallText(s: StallFigures): string {
  return `worst ${ms(s.max)}, p99 ${ms(s.p99)}`;
}

function durations(windows: readonly Window[]): number[] {
  return windows.map((w) => w.to - w.from);
}

/** The rows of one scenario (first sync or no-change sync). */
function rows(
  label: string,
  floorLabel: string,
  floorMs: readonly number[],
  floorWindows: readonly Window[],
  runs: readonly SyncRun[],
  changeMs: readonly number[],
  recorder: StallRecorder,
): BenchRow[] {
  const syncMs = durations(runs.map((r) => r.sync));
  const applyMs = durations(runs.map((r) => r.apply));
  const planMs = runs.map((r) => r.apply.from - r.sync.from);
  const saveMs = durations(runs.map((r) => r.save));
  const floor = median(floorMs);
  const ratio = median(syncMs) / floor;
  const floorStalls = stalls(recorder, floorWindows);
  const network = stalls(
    recorder,
    runs.map((r) => r.sync),
  );
  const plan = stalls(
    recorder,
    runs.map((r) => ({ from: r.sync.from, to: r.apply.from })),
  );
  const apply = stalls(
    recorder,
    runs.map((r) => r.apply),
  );
  const save = stalls(
    recorder,
    runs.map((r) => r.save),
  );
  const open = stalls(
    recorder,
    runs.map((r) => ({ from: r.change.from, to: r.sync.from })),
  );
  const whole = stalls(
    recorder,
    runs.map((r) => r.change),
  );
  const floorText = `${floorLabel}: ${summary(floorMs)}`;
  const floorStallText = `bare client: ${stallText(floorStalls)}`;
  return [
    {
      name: `${label} (\`syncStore\`: plan + apply)`,
      floor: floorText,
      measured:
        `${summary(syncMs)}; \`applySync\` median ${ms(median(applyMs))}, ` +
        `the rest (token check + plan) ${ms(median(planMs))} = ${(median(planMs) / floor).toFixed(2)}× the floor`,
      ratio,
      target: `ratio ≤ ${TARGET_RATIO.toFixed(2)}`,
      pass: ratio <= TARGET_RATIO,
    },
    {
      name: `${label}, whole \`store.change\` (open + sync + save)`,
      floor: floorText,
      measured: `${summary(changeMs)}; \`store.save\` median ${ms(median(saveMs))}`,
      ratio: median(changeMs) / floor,
      target: "— (adds the open's KDF and the save)",
      pass: undefined,
    },
    {
      name: `${label}: event-loop stalls, network phase (\`syncStore\`)`,
      floor: floorStallText,
      measured: `${stallText(network)}; plan part ${stallText(plan)}; \`applySync\` ${stallText(apply)}`,
      ratio: floorStalls.max > 0 ? network.max / floorStalls.max : undefined,
      target: `worst ≤ ${TARGET_STALL_MS} ms`,
      pass: network.max <= TARGET_STALL_MS,
    },
    {
      name: `${label}: event-loop stalls, save (\`store.save\`)`,
      floor: floorStallText,
      measured:
        `${stallText(save)}; whole change ${stallText(whole)}, ` +
        `of which the open before the sync ${stallText(open)}`,
      ratio: floorStalls.max > 0 ? save.max / floorStalls.max : undefined,
      target: `worst ≤ ${TARGET_STALL_MS} ms`,
      pass: save.max <= TARGET_STALL_MS,
    },
  ];
}

/** A step timed by `interleave` that also records its own window (for the stall attribution). */
function windowed(into: Window[], fn: () => Promise<void>): () => Promise<void> {
  return async () => {
    const from = nowMs();
    await fn();
    into.push({ from, to: nowMs() });
  };
}

export async function benchSync(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-bench-sync-'));
  const server = await startServer(ITEMS);
  const client = new BareClient(server.url, server.rootToken);
  const runner = new SyncRunner(server.url, server.rootToken);
  const recorder = new StallRecorder();
  recorder.start();
  try {
    let homes = 0;
    const freshStore = async (): Promise<VaultStore> => {
      const store = new VaultStore(join(dir, `home-${++homes}`));
      (await store.create(Buffer.from(PASSWORD), CHEAP_KDF)).close();
      return store;
    };
    const added: Expected = { added: ITEMS, updated: 0, unchanged: 0 };
    const nothing: Expected = { added: 0, updated: 0, unchanged: ITEMS };

    // Warm-up, untimed, which also proves the floors make the very requests the syncs make.
    let store = await freshStore();
    await clearServerLog(server);
    await bareSync(client, true);
    const floorFull = await serverLog(server);
    await clearServerLog(server);
    await runner.sync(store, added, 'first sync (warm-up)');
    sameRequests(floorFull, await serverLog(server), 'first sync');
    await clearServerLog(server);
    await bareSync(client, false);
    const floorMeta = await serverLog(server);
    await clearServerLog(server);
    await runner.sync(store, nothing, 'no-change sync (warm-up)');
    sameRequests(floorMeta, await serverLog(server), 'no-change sync');
    if (floorFull.length !== 2 + FOLDERS + 2 * ITEMS || floorMeta.length !== 2 + FOLDERS + ITEMS) {
      throw new Error(`the seed is not the expected ${ITEMS} items in ${FOLDERS} folders`);
    }
    runner.runs.length = 0;

    const fullFloorWindows: Window[] = [];
    const full = await interleave(
      FULL_ROUNDS,
      {
        floor: {
          before: () => clearServerLog(server),
          run: windowed(fullFloorWindows, () => bareSync(client, true)),
        },
        sync: {
          before: async () => {
            rmSync(store.paths.dir, { recursive: true, force: true });
            await clearServerLog(server);
            store = await freshStore();
          },
          run: () => runner.sync(store, added, 'first sync'),
        },
      },
      0,
    );
    const fullRuns = runner.runs.splice(0);

    const metaFloorWindows: Window[] = [];
    const noChange = await interleave(
      NO_CHANGE_ROUNDS,
      {
        floor: {
          before: () => clearServerLog(server),
          run: windowed(metaFloorWindows, () => bareSync(client, false)),
        },
        sync: {
          before: () => clearServerLog(server),
          run: () => runner.sync(store, nothing, 'no-change sync'),
        },
      },
      0,
    );
    const noChangeRuns = runner.runs.splice(0);

    return [
      ...rows(
        `sync ${ITEMS.toLocaleString('en')} items, first time`,
        `bare client, lists + metadata + data (${floorFull.length.toLocaleString('en')} GETs)`,
        full.floor,
        fullFloorWindows,
        fullRuns,
        full.sync,
        recorder,
      ),
      ...rows(
        `sync ${ITEMS.toLocaleString('en')} items, nothing changed`,
        `bare client, lists + metadata (${floorMeta.length.toLocaleString('en')} GETs)`,
        noChange.floor,
        metaFloorWindows,
        noChangeRuns,
        noChange.sync,
        recorder,
      ),
    ];
  } finally {
    recorder.stop();
    runner.close();
    client.close();
    await stopServer(server);
    rmSync(dir, { recursive: true, force: true });
  }
}
