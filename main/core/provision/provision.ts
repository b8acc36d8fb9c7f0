/**
 * Granting, revoking and reviewing dev-scoped access in the central store (docs/provisioning.md).
 * One policy per developer, `latchkey-dev-<developer>`, attached to their identity entity (and to
 * their userpass user's token policies where one exists). Every target is checked before anything
 * is read; an existing policy that already reaches production is never added to; a dry run sends
 * no write.
 */
import { LatchkeyError } from '../errors';
import {
  targetKey,
  policyNameOf,
  developerOfPolicy,
  isExpired,
  type Grant,
  type GrantTarget,
} from './grants';
import { assertNoProduction, readPolicy, renderPolicy, type ReadPolicy } from './policy-document';
import type { StoreCalls } from './store-calls';

export interface ProvisionScope {
  readonly mount: string;
  readonly layout: string;
  /** The userpass mount whose users get the policy in their token policies (default `userpass`). */
  readonly userpassMount: string;
  readonly now: Date;
}

export interface GrantOptions {
  readonly expires?: string;
  readonly replace?: boolean;
}

export interface ChangeOutcome {
  readonly developer: string;
  readonly policy: string;
  /** `project/env` keys the developer could read before and after. */
  readonly before: string[];
  readonly after: string[];
  /** The new policy text (undefined when the policy was deleted or left alone). */
  readonly text?: string;
}

async function existing(
  calls: StoreCalls,
  policy: string,
  scope: ProvisionScope,
): Promise<ReadPolicy | undefined> {
  const text = await calls.readPolicy(policy);
  if (text === undefined) return undefined;
  const read = readPolicy(text, scope);
  assertNoProduction(read, policy);
  return read;
}

function keys(grants: readonly Grant[]): string[] {
  return grants.map(targetKey).sort();
}

function refuseEdited(read: ReadPolicy, policy: string, what: string): void {
  if (!read.edited) return;
  const why =
    read.document === undefined
      ? 'was not written by Latchkey'
      : 'was edited by hand since Latchkey wrote it';
  throw new LatchkeyError(
    'POLICY_EDITED',
    `the policy '${policy}' ${why}; ${what} would overwrite those edits — review it ('latchkey access' or the app's Team view), then replace it from Latchkey's grants (--replace, or Replace in the app); nothing was written`,
  );
}

function sameStore(read: ReadPolicy, scope: ProvisionScope): boolean {
  return (
    read.document === undefined ||
    (read.document.mount === scope.mount && read.document.layout === scope.layout)
  );
}

/** Adds the policy to the entity (created if needed) and to the userpass user's token policies. */
async function attach(
  calls: StoreCalls,
  developer: string,
  policy: string,
  scope: ProvisionScope,
): Promise<void> {
  const entity = await calls.readEntity(developer);
  let entityId = entity?.id;
  if (entity === undefined || !entity.policies.includes(policy)) {
    entityId =
      (await calls.writeEntity(
        developer,
        [...new Set([...(entity?.policies ?? []), policy])],
        entity === undefined,
      )) ?? entityId;
  }
  const userPolicies = await calls.readUserpassPolicies(scope.userpassMount, developer);
  if (userPolicies === undefined) return;
  if (!userPolicies.includes(policy)) {
    await calls.writeUserpassPolicies(scope.userpassMount, developer, [...userPolicies, policy]);
  }
  // Link the userpass login to the entity, so tokens it issues carry the entity's policies at once.
  const accessor = await calls.authAccessor(scope.userpassMount);
  if (accessor !== undefined && !(entity?.aliasAccessors ?? []).includes(accessor)) {
    try {
      await calls.linkAlias(entityId ?? '<the entity id>', developer, accessor);
    } catch (error) {
      // Already linked to another entity (Vault made one at first login): the token policies above
      // still give access at the next login.
      if (!(error instanceof LatchkeyError && error.code === 'STORE_PROTOCOL')) throw error;
    }
  }
}

async function detach(
  calls: StoreCalls,
  developer: string,
  policy: string,
  scope: ProvisionScope,
): Promise<void> {
  const entity = await calls.readEntity(developer);
  if (entity !== undefined && entity.policies.includes(policy)) {
    await calls.writeEntity(
      developer,
      entity.policies.filter((p) => p !== policy),
      false,
    );
  }
  const userPolicies = await calls.readUserpassPolicies(scope.userpassMount, developer);
  if (userPolicies !== undefined && userPolicies.includes(policy)) {
    await calls.writeUserpassPolicies(
      scope.userpassMount,
      developer,
      userPolicies.filter((p) => p !== policy),
    );
  }
}

/** Grants read and list on each target's paths; merges with what the developer has. */
export async function grantAccess(
  calls: StoreCalls,
  developer: string,
  targets: readonly GrantTarget[],
  scope: ProvisionScope,
  options: GrantOptions = {},
): Promise<ChangeOutcome> {
  if (targets.length === 0)
    throw new LatchkeyError('USAGE', 'name at least one project/environment to grant');
  const policy = policyNameOf(developer);
  const read = await existing(calls, policy, scope);
  if (read !== undefined && !options.replace) {
    refuseEdited(read, policy, 'merging');
    if (!sameStore(read, scope)) {
      throw new LatchkeyError(
        'POLICY_EDITED',
        `the policy '${policy}' was written for another mount or layout (${read.document!.mount}, ${read.document!.layout}); pass --replace to rewrite it for this store; nothing was written`,
      );
    }
  }
  const before = options.replace ? [] : [...(read?.document?.grants ?? [])];
  const grantedAt = scope.now.toISOString();
  const byKey = new Map(before.map((g) => [targetKey(g), g]));
  for (const t of targets) {
    byKey.set(targetKey(t), { ...t, grantedAt, ...(options.expires ? { expires: options.expires } : {}) });
  }
  const grants = [...byKey.values()];
  const text = renderPolicy({ developer, mount: scope.mount, layout: scope.layout, grants });
  await calls.writePolicy(policy, text);
  await attach(calls, developer, policy, scope);
  return { developer, policy, before: keys(read?.document?.grants ?? []), after: keys(grants), text };
}

/**
 * Removes grants: the named targets, the expired ones (`expired`), or all of them (neither). A
 * policy left with no grants is deleted and detached.
 */
export async function revokeAccess(
  calls: StoreCalls,
  developer: string,
  scope: ProvisionScope,
  which: {
    /** Matched by project and folder name: what was granted can be revoked whatever it names. */
    readonly targets?: readonly Pick<GrantTarget, 'project' | 'env'>[];
    readonly expired?: boolean;
    readonly replace?: boolean;
  },
): Promise<ChangeOutcome> {
  const policy = policyNameOf(developer);
  const text = await calls.readPolicy(policy);
  if (text === undefined) return { developer, policy, before: [], after: [] };
  // Revoking is always allowed, even from a policy that names production: it only takes away.
  const read = readPolicy(text, scope);
  const grants = read.document?.grants ?? [];
  const all = which.targets === undefined && which.expired !== true;
  if (!all && !which.replace) refuseEdited(read, policy, 'revoking part of it');
  const drop = new Set(which.targets?.map(targetKey) ?? []);
  const remaining = all
    ? []
    : grants.filter((g) => !drop.has(targetKey(g)) && !(which.expired === true && isExpired(g, scope.now)));
  const before = keys(grants);
  if (remaining.length === grants.length && !all && !read.edited) {
    return { developer, policy, before, after: before };
  }
  if (remaining.length === 0) {
    await calls.deletePolicy(policy);
    await detach(calls, developer, policy, scope);
    return { developer, policy, before, after: [] };
  }
  const next = renderPolicy({ developer, mount: scope.mount, layout: scope.layout, grants: remaining });
  await calls.writePolicy(policy, next);
  return { developer, policy, before, after: keys(remaining), text: next };
}

export interface AccessRow {
  readonly developer: string;
  readonly policy: string;
  readonly grants: readonly Grant[];
  /** Not exactly what Latchkey wrote: edited by hand, or a foreign policy with our naming. */
  readonly edited: boolean;
  /** Paths in it that reach production or an unknown environment. */
  readonly productionPaths: readonly string[];
}

/** Who can read what, from every policy named latchkey-dev-*. */
export async function reviewAccess(
  calls: StoreCalls,
  scope: Pick<ProvisionScope, 'mount' | 'layout'>,
): Promise<AccessRow[]> {
  const rows: AccessRow[] = [];
  for (const policy of (await calls.listPolicies()).sort()) {
    const developer = developerOfPolicy(policy);
    if (developer === undefined) continue;
    const text = await calls.readPolicy(policy);
    if (text === undefined) continue;
    const read = readPolicy(text, scope);
    rows.push({
      developer,
      policy,
      grants: read.document?.grants ?? [],
      edited: read.edited,
      productionPaths: read.productionPaths,
    });
  }
  return rows;
}
