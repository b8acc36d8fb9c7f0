import {
  isExpired,
  isPlainName,
  policyNameOf,
  revokeAccess,
  targetKey,
  reviewAccess,
} from '../../core/provision';
import { LatchkeyError, isLatchkeyError } from '../../core/errors';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import {
  PROVISION_OPTION_HELP,
  PROVISION_OPTIONS,
  provisionStore,
  withProvisionSession,
} from '../provision-session';

export const command: CommandSpec = {
  name: 'revoke',
  usage: '<developer> [<project>/<env>…] [--store S] | --expired [--store S]',
  help: `Takes access back in the central store. With project/environments, removes those grants from
the developer's policy latchkey-dev-<developer>; without, removes all of them: the policy is
deleted and detached from their identity entity and userpass user. Says what the developer could
read before and after. --expired removes every grant whose --expires has passed, for every
developer. Every revoke is written to your audit log.`,
  options: { ...PROVISION_OPTIONS, expired: { type: 'boolean' }, replace: { type: 'boolean' } },
  optionHelp: {
    ...PROVISION_OPTION_HELP,
    expired: 'remove the expired grants of every developer',
    replace: 'revoke part of a policy that was edited by hand (rewrites it from its grants)',
  },
  positionals: { min: 0, max: 101, names: 'a developer and project/environments to revoke (or --expired)' },
  async run(ctx) {
    const expired = ctx.args.values.expired === true;
    const [developer, ...texts] = ctx.args.positionals;
    if (expired === (developer !== undefined)) {
      throw new LatchkeyError(
        'USAGE',
        "name a developer (and optionally project/environments), or pass --expired; see 'latchkey revoke --help'",
      );
    }
    if (developer !== undefined) policyNameOf(developer);
    // Targets are matched by name only: revoking takes away, so nothing needs classifying.
    const targets = texts.map((t) => {
      const [project, env, extra] = t.split('/');
      if (!project || !env || extra !== undefined || !isPlainName(project) || !isPlainName(env)) {
        throw new LatchkeyError(
          'USAGE',
          `'${t.slice(0, 80)}' is not project/environment (e.g. payments/development)`,
        );
      }
      return { project, env };
    });
    const config = provisionStore(ctx);
    await withProvisionSession(ctx, config, { dryRun: false }, async ({ calls, scope, record }) => {
      const developers = expired
        ? (await reviewAccess(calls, scope))
            .filter((r) => r.grants.some((g) => isExpired(g, scope.now)))
            .map((r) => r.developer)
        : [developer!];
      const lines: string[] = [];
      const before = new Set<string>();
      for (const dev of developers) {
        let outcome;
        try {
          outcome = await revokeAccess(calls, dev, scope, {
            ...(targets.length > 0 ? { targets } : {}),
            expired,
            replace: ctx.args.values.replace === true,
          });
        } catch (error) {
          // One edited policy does not stop the others' expired grants from going.
          if (!expired || !isLatchkeyError(error, 'POLICY_EDITED')) throw error;
          lines.push(`${dev}: skipped — ${error.message}`);
          continue;
        }
        for (const k of outcome.before) before.add(k);
        const removed = outcome.before.filter((k) => !outcome.after.includes(k));
        if (expired && removed.length === 0) continue;
        for (const k of removed.length > 0 ? removed : ['nothing']) {
          record({
            op: 'revoke',
            ref: `grant:${dev}@${config.name}:${k}`,
            result: 'ok',
            reason: expired ? 'expired' : 'revoked',
          });
        }
        lines.push(
          `${dev}: before ${outcome.before.join(', ') || 'nothing'}; now ${outcome.after.join(', ') || 'nothing'}` +
            (outcome.after.length === 0 && outcome.before.length > 0
              ? ` (policy ${outcome.policy} deleted)`
              : ''),
        );
      }
      const notGranted = targets.map(targetKey).filter((k) => !before.has(k));
      if (notGranted.length > 0) lines.push(`(${notGranted.join(', ')} was not granted)`);
      await writeAll(ctx.io.stdout, `${lines.length > 0 ? lines.join('\n') : 'No expired grants.'}\n`);
    });
  },
};
