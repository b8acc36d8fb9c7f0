/**
 * The agent's methods: a narrow API. `resolve` answers only the refs a caller names (never "all"),
 * refuses production and unknown environments before any lookup — so a reply never reveals
 * whether such an item exists — and every other method returns names, never values.
 */
import { LatchkeyError } from '../errors';
import { listedItems, type ListedItem } from '../vault/listing';
import { formatFieldRef, parseFieldRef, parseRefFilter, type FieldRef } from '../vault/ref';
import type { VaultSession } from './vault-session';

export const PROTOCOL_VERSION = 1;
/** Most refs one resolve may name. */
export const MAX_REFS = 200;

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

  list: (ctx, params) => {
    const filterText = stringParam(params, 'filter', 200);
    const filter = filterText ? parseRefFilter(filterText) : { project: '' };
    const vault = ctx.session.vault();
    ctx.session.touch();
    const items: ListedItem[] = listedItems(vault.list(filter));
    return { items };
  },

  resolve: (ctx, params) => {
    const refs = params.refs;
    if (
      !Array.isArray(refs) ||
      refs.length === 0 ||
      refs.length > MAX_REFS ||
      !refs.every((r) => typeof r === 'string' && r.length <= 300)
    ) {
      throw bad(`'refs' must be a list of 1 to ${MAX_REFS} references`);
    }
    // Every ref is parsed — and production refused — before the vault is even looked at.
    const parsed: FieldRef[] = (refs as string[]).map((r) => parseFieldRef(r));
    const previous = params.previous === true;
    const epoch = ctx.session.epoch;
    const vault = ctx.session.vault();
    const values: Record<string, string> = {};
    for (const ref of parsed) {
      const secret = vault.readField(ref, { previous });
      try {
        values[formatFieldRef(ref)] = secret.reveal().toString('utf8');
      } finally {
        secret.dispose();
      }
    }
    ctx.session.checkEpoch(epoch);
    ctx.session.touch();
    return { values };
  },
};
