/**
 * The agent's methods: a narrow API. `resolve` answers only the refs a caller names (never "all"),
 * refuses production and unknown environments before any lookup — so a reply never reveals
 * whether such an item exists — and every other method returns names, never values.
 */
import { readAuditAnchor, verifyAudit, type AuditWho } from '../audit';
import { LatchkeyError } from '../errors';
import { StoreConfigFile } from '../sync/store-config';
import { DEFAULT_SYNC_SETTINGS, syncStates, syncStore, type StoreSyncResult } from '../sync/sync-store';
import { listedItems, type ListedItem } from '../vault/listing';
import { readSecrets } from '../vault/read-secrets';
import { parseFieldRef, parseRefFilter, type FieldRef } from '../vault/ref';
import type { VaultSession } from './vault-session';

import { MAX_REFS, PROTOCOL_VERSION } from './protocol-version';

export { MAX_REFS, PROTOCOL_VERSION };

export interface Caller {
  readonly uid: number;
  readonly pid?: number;
  readonly exe?: string;
}

export type Params = Readonly<Record<string, unknown>>;

function bad(message: string): LatchkeyError {
  return new LatchkeyError('PROTOCOL_ERROR', message);
}

function stringParam(params: Params, key: string, max: number): string | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length > max)
    throw bad(`'${key}' must be a string of at most ${max} characters`);
  return v;
}

/** Who asked, for the audit: pid, exe and uid from the kernel; cwd and tty as the client says. */
function whoOf(params: Params, caller: Caller): AuditWho {
  const c = (typeof params.caller === 'object' && params.caller !== null ? params.caller : {}) as Record<
    string,
    unknown
  >;
  const via = c.via === 'run' || c.via === 'shell' ? c.via : 'cli';
  return {
    via,
    ...(caller.pid !== undefined ? { pid: caller.pid } : {}),
    ...(caller.exe ? { exe: caller.exe.slice(0, 4096) } : {}),
    ...(typeof c.cwd === 'string' && c.cwd.length <= 4096 ? { cwd: c.cwd } : {}),
    ...(typeof c.tty === 'string' && c.tty.length <= 256 ? { tty: c.tty } : {}),
    uid: caller.uid,
  };
}

export interface AgentContext {
  readonly session: VaultSession;
  readonly version: string;
  readonly socketPath: string;
}

type Method = (ctx: AgentContext, params: Params, caller: Caller) => unknown;

export const METHODS: Readonly<Record<string, Method>> = {
  hello: (ctx, params) => {
    if (params.protocol !== PROTOCOL_VERSION) {
      throw bad(
        `this agent speaks protocol ${PROTOCOL_VERSION}; the client asked for ${String(params.protocol)}`,
      );
    }
    return { protocol: PROTOCOL_VERSION, agent: ctx.version, locked: ctx.session.locked };
  },

  status: (ctx) => {
    const locked = ctx.session.locked;
    const base = {
      locked,
      socket: ctx.socketPath,
      vault: ctx.session.store.paths.vault,
      lockAfterMs: ctx.session.lockAfterMs,
    };
    if (locked) return base;
    const vault = ctx.session.vault();
    return {
      ...base,
      generation: vault.generation,
      items: vault.itemCount,
      idleRemainingMs: ctx.session.idleRemainingMs,
    };
  },

  unlock: async (ctx, params) => {
    const password = params.password;
    if (typeof password !== 'string' || password.length === 0 || password.length > 1024) {
      throw bad("'password' must be a non-empty string");
    }
    const bytes = Buffer.from(password, 'utf8');
    try {
      await ctx.session.unlock(bytes);
    } finally {
      bytes.fill(0);
    }
    return { locked: false };
  },

  lock: (ctx) => {
    ctx.session.lock('requested');
    return { locked: true };
  },

  sync: async (ctx, params, caller) => {
    const only = stringParam(params, 'store', 64);
    const file = new StoreConfigFile(ctx.session.store.paths.dir);
    const configs = only === undefined ? file.read() : [file.get(only)];
    if (configs.length === 0) {
      throw new LatchkeyError(
        'STORE_NOT_FOUND',
        "no store is configured; add one with 'latchkey store add <name> --addr https://…'",
      );
    }
    const who: AuditWho = {
      via: 'sync',
      ...(caller.pid !== undefined ? { pid: caller.pid } : {}),
      uid: caller.uid,
    };
    const results = await ctx.session.change(
      async (vault) => {
        const out: StoreSyncResult[] = [];
        for (const config of configs) {
          const r = await syncStore(vault, config, DEFAULT_SYNC_SETTINGS);
          ctx.session.audit({
            op: 'sync',
            who,
            ref: `store:${config.name}`,
            result: r.ok ? 'ok' : 'error',
            ...(r.error ? { reason: r.error.code } : {}),
          });
          for (const f of r.ok ? r.refusals : [])
            ctx.session.audit({ op: 'refusal', who, ref: f.ref, result: 'refused', reason: f.rule });
          out.push(r);
        }
        return out;
      },
      (out) => out.some((r) => r.ok),
    );
    ctx.session.touch();
    return { results };
  },

  refusals: (ctx) => {
    const vault = ctx.session.vault();
    return { stores: syncStates(vault) };
  },

  verifyAudit: (ctx) => {
    const vault = ctx.session.vault();
    const key = vault.deriveAuditKey();
    try {
      return verifyAudit(ctx.session.store.paths.dir, key, readAuditAnchor(vault));
    } finally {
      key.fill(0);
    }
  },

  list: (ctx, params) => {
    const filterText = stringParam(params, 'filter', 200);
    const filter = filterText ? parseRefFilter(filterText) : { project: '' };
    const vault = ctx.session.vault();
    ctx.session.touch();
    const items: ListedItem[] = listedItems(vault.list(filter));
    return { items };
  },

  resolve: (ctx, params, caller) => {
    const refs = params.refs;
    if (
      !Array.isArray(refs) ||
      refs.length === 0 ||
      refs.length > MAX_REFS ||
      !refs.every((r) => typeof r === 'string' && r.length <= 300)
    ) {
      throw bad(`'refs' must be a list of 1 to ${MAX_REFS} references`);
    }
    const who = whoOf(params, caller);
    // Every ref is parsed — and production refused — before the vault is even looked at.
    const parsed: FieldRef[] = [];
    for (const r of refs as string[]) {
      try {
        parsed.push(parseFieldRef(r));
      } catch (error) {
        if (error instanceof LatchkeyError) {
          const refused = error.code === 'PRODUCTION_REFUSED' || error.code === 'UNKNOWN_ENVIRONMENT';
          ctx.session.recordWhileLocked({
            op: refused ? 'refusal' : 'denial',
            who,
            ref: r,
            result: refused ? 'refused' : 'denied',
            reason: error.code,
          });
        }
        throw error;
      }
    }
    const epoch = ctx.session.epoch;
    const result = readSecrets(ctx.session.vault(), parsed, {
      previous: params.previous === true,
      allowMissing: params.allowMissing === true,
    });
    // One line per read, written before any value leaves; if it cannot be written, nothing leaves.
    ctx.session.audit(
      ...Object.keys(result.values).map((ref) => ({ op: 'read', who, ref, result: 'ok' }) as const),
    );
    ctx.session.checkEpoch(epoch);
    ctx.session.touch();
    return result;
  },
};
