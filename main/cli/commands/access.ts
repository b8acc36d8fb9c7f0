import { describeGrants, isExpired, reviewAccess, targetKey, type AccessRow } from '../../core/provision';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import {
  PROVISION_OPTION_HELP,
  PROVISION_OPTIONS,
  provisionStore,
  withProvisionSession,
} from '../provision-session';
import { formatRows } from './ls';

export const command: CommandSpec = {
  name: 'access',
  usage: '[--developer D] [--project P] [--expired] [--json] [--store S]',
  help: `Shows who can read what, from the Latchkey-managed policies (latchkey-dev-*) in the central
store: each developer's project/environments and expiries. A policy by that naming that is not
exactly what Latchkey wrote — edited by hand, or written by something else — is flagged, and so is
one that reaches a production path. --expired shows only grants whose expiry has passed.`,
  options: {
    ...PROVISION_OPTIONS,
    developer: { type: 'string' },
    project: { type: 'string' },
    expired: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    ...PROVISION_OPTION_HELP,
    developer: 'only this developer',
    project: 'only grants on this project',
    expired: 'only grants whose --expires has passed',
    json: 'print the review as JSON (for scripts)',
  },
  positionals: { min: 0, max: 0, names: 'no arguments' },
  async run(ctx) {
    const config = provisionStore(ctx);
    const now = new Date();
    const developer = ctx.args.values.developer;
    const project = ctx.args.values.project;
    const expired = ctx.args.values.expired === true;
    const rows: AccessRow[] = await withProvisionSession(ctx, config, { dryRun: false }, ({ calls, scope }) =>
      reviewAccess(calls, scope),
    );
    const shown = rows
      .filter((r) => developer === undefined || r.developer === developer)
      .map((r) => ({
        ...r,
        grants: r.grants.filter(
          (g) => (project === undefined || g.project === project) && (!expired || isExpired(g, now)),
        ),
      }))
      .filter((r) => r.grants.length > 0 || (!expired && project === undefined));
    if (ctx.args.values.json === true) {
      await writeAll(
        ctx.io.stdout,
        `${JSON.stringify(
          shown.map((r) => ({
            developer: r.developer,
            policy: r.policy,
            edited: r.edited,
            productionPaths: r.productionPaths,
            grants: r.grants.map((g) => ({
              target: targetKey(g),
              environment: g.environment,
              grantedAt: g.grantedAt,
              ...(g.expires ? { expires: g.expires, expired: isExpired(g, now) } : {}),
            })),
          })),
          null,
          2,
        )}\n`,
      );
      return;
    }
    if (shown.length === 0) {
      await writeAll(
        ctx.io.stderr,
        expired
          ? 'No expired grants.\n'
          : "No Latchkey-managed access yet; give some with 'latchkey grant'.\n",
      );
      return;
    }
    const table = shown.map((r) => [
      r.developer,
      describeGrants(r.grants).join(', ') || '—',
      [r.edited ? 'EDITED BY HAND' : '', r.productionPaths.length > 0 ? 'REACHES PRODUCTION' : '']
        .filter(Boolean)
        .join(', ') || 'ok',
    ]);
    await writeAll(ctx.io.stdout, formatRows([['DEVELOPER', 'CAN READ', 'POLICY'], ...table]));
  },
};
