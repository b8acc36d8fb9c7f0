/**
 * What `grant`, `revoke` and `access` share: the store to provision (`--store`, or the only one),
 * the lead's vault opened with the master password (for the store token, sealed there, and the
 * audit log), the store's admin calls, and one audit line per grant, revoke and refusal.
 *
 * Provisioning uses the direct mode even when an agent runs: the agent never hands out store
 * tokens, and a lead grants rarely enough that typing the password is the right cost.
 */
import { recordPending, type AuditEvent } from '../core/audit';
import { wipe } from '../core/crypto/secret';
import { LatchkeyError } from '../core/errors';
import { chooseStore, withStoreCalls, type ProvisionScope, type StoreCalls } from '../core/provision';
import { StoreConfigFile, type StoreConfig } from '../core/sync/store-config';
import type { CommandContext } from './command';
import { cliWho, openAudited, vaultStore, type AuditedVault } from './direct-vault';
import { InputSource } from './terminal-input';

export interface ProvisionSession {
  readonly config: StoreConfig;
  readonly calls: StoreCalls;
  readonly scope: ProvisionScope;
  readonly record: (event: Omit<AuditEvent, 'who'>) => void;
}

/** The configured store named by --store, or the only one. */
export function provisionStore(ctx: CommandContext): StoreConfig {
  const name = ctx.args.values.store;
  return chooseStore(
    new StoreConfigFile(vaultStore(ctx.env).paths.dir).read(),
    typeof name === 'string' ? name : undefined,
    {
      none: "no store is configured; add your team's store with 'latchkey store add <name> --addr https://…'",
      many: 'say which with --store',
    },
  );
}

/** A refusal before any vault is open: a pending audit line (folded into the chain at next unlock). */
export function recordRefusal(ctx: CommandContext, ref: string, reason: string): void {
  try {
    recordPending(vaultStore(ctx.env).paths.dir, {
      op: 'refusal',
      who: cliWho(),
      ref: ref.slice(0, 300),
      result: 'refused',
      reason,
    });
  } catch {
    // The refusal stands either way; nothing was sent.
  }
}

/** Opens the vault and the store; runs `work`; always closes both. */
export async function withProvisionSession<T>(
  ctx: CommandContext,
  config: StoreConfig,
  options: { readonly dryRun: boolean },
  work: (session: ProvisionSession) => Promise<T>,
): Promise<T> {
  const store = vaultStore(ctx.env);
  const input = new InputSource(ctx.io, ctx.args.values['password-stdin'] === true);
  const password = await input.password();
  let opened: AuditedVault;
  try {
    opened = await openAudited(store, password);
  } finally {
    wipe(password);
    input.dispose();
  }
  try {
    const userpassMount =
      typeof ctx.args.values['userpass-mount'] === 'string' ? ctx.args.values['userpass-mount'] : 'userpass';
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(userpassMount)) {
      throw new LatchkeyError('USAGE', '--userpass-mount must be a plain mount name');
    }
    return await withStoreCalls(opened.vault, config, options.dryRun, (calls) =>
      work({
        config,
        calls,
        scope: { mount: config.mount, layout: config.layout, userpassMount, now: new Date() },
        record: opened.record,
      }),
    );
  } finally {
    opened.close();
  }
}

export const PROVISION_OPTIONS = {
  store: { type: 'string' },
  'userpass-mount': { type: 'string' },
  'password-stdin': { type: 'boolean' },
} as const;

export const PROVISION_OPTION_HELP = {
  store: 'the store to provision (default: the only one configured)',
  'userpass-mount': "the userpass auth mount whose users get the policy too (default 'userpass')",
  'password-stdin': 'read the master password from the first line of standard input (for scripts)',
} as const;
