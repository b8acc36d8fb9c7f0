import { isLatchkeyError } from '../../core/errors';
import {
  createInvite,
  describeCall,
  expiryFrom,
  grantAccess,
  parseTarget,
  policyNameOf,
  targetKey,
  type GrantTarget,
} from '../../core/provision';
import type { CommandSpec } from '../command';
import { writeAll } from '../io';
import {
  PROVISION_OPTION_HELP,
  PROVISION_OPTIONS,
  provisionStore,
  recordRefusal,
  withProvisionSession,
} from '../provision-session';

export const command: CommandSpec = {
  name: 'grant',
  usage: '<developer> <project>/<env>… [--store S] [--expires 30d] [--dry-run] [--replace] [--invite]',
  help: `Gives a developer read access to development and staging secrets of projects, in the central
store: one ACL policy per developer, latchkey-dev-<developer>, with read and list on exactly the
data and metadata paths of each project environment under the store's layout, attached to the
developer's identity entity (created if needed) and to their userpass user's token policies
where there is one. Granting again adds to what they have; nothing else in the policy changes
unless --replace rewrites it from the grants given now.

Production can never be granted: an environment that is not development or staging, a wildcard,
or an existing policy of that name that already reaches production is refused with
PRODUCTION_REFUSED and nothing is written. --dry-run prints the policy and the calls without
sending any write. --expires records an expiry ('latchkey access --expired',
'latchkey revoke --expired'). --invite also creates a single-use, response-wrapped token for the
developer (valid 24 h) and prints the one command they run. Every grant and refusal is written to
your audit log.`,
  options: {
    ...PROVISION_OPTIONS,
    expires: { type: 'string' },
    'dry-run': { type: 'boolean' },
    replace: { type: 'boolean' },
    invite: { type: 'boolean' },
  },
  optionHelp: {
    ...PROVISION_OPTION_HELP,
    expires: 'the grant lapses after this long (e.g. 30d, 12h, 2w)',
    'dry-run': 'print the policy HCL and the API calls; send no write',
    replace: "rewrite the developer's policy from these grants only (drops the others and any hand edits)",
    invite: 'also print a one-time command that gives the developer a token (response-wrapped, single use)',
  },
  positionals: { min: 2, max: 101, names: 'a developer and one or more project/environment' },
  async run(ctx) {
    const [developer, ...texts] = ctx.args.positionals as [string, ...string[]];
    let policy: string;
    const targets: GrantTarget[] = [];
    try {
      policy = policyNameOf(developer);
      for (const t of texts) targets.push(parseTarget(t));
    } catch (error) {
      if (isLatchkeyError(error, 'PRODUCTION_REFUSED'))
        recordRefusal(ctx, `grant:${developer.slice(0, 64)}`, 'PRODUCTION_REFUSED');
      throw error;
    }
    const dryRun = ctx.args.values['dry-run'] === true;
    const expiresText = ctx.args.values.expires;
    const expires = typeof expiresText === 'string' ? expiryFrom(expiresText, new Date()) : undefined;
    const config = provisionStore(ctx);
    await withProvisionSession(ctx, config, { dryRun }, async ({ calls, scope, record }) => {
      const ref = `grant:${developer}@${config.name}`;
      let outcome;
      try {
        outcome = await grantAccess(calls, developer, targets, scope, {
          ...(expires ? { expires } : {}),
          replace: ctx.args.values.replace === true,
        });
      } catch (error) {
        if (isLatchkeyError(error, 'PRODUCTION_REFUSED'))
          record({ op: 'refusal', ref, result: 'refused', reason: 'PRODUCTION_REFUSED' });
        throw error;
      }
      const invite =
        ctx.args.values.invite === true ? await createInvite(calls, policy, config, targets) : undefined;
      if (dryRun) {
        await writeAll(
          ctx.io.stdout,
          `# Dry run: nothing was sent. The policy ${policy} would be:\n\n${outcome.text ?? ''}\n# The calls (reads already made are not listed):\n` +
            calls.calls.map(describeCall).join('\n') +
            '\n',
        );
        return;
      }
      for (const t of targets)
        record({
          op: 'grant',
          ref: `${ref}:${targetKey(t)}`,
          result: 'ok',
          reason: expires ? `until:${expires}` : 'granted',
        });
      await writeAll(
        ctx.io.stdout,
        `Granted ${developer} read access to ${targets.map(targetKey).join(', ')} in '${config.name}'` +
          `${expires ? ` until ${expires}` : ''} (policy ${policy}).\n` +
          `Before: ${outcome.before.join(', ') || 'nothing'}\nNow:    ${outcome.after.join(', ')}\n`,
      );
      if (invite) {
        await writeAll(
          ctx.io.stdout,
          `\nSend ${developer} this command; it works once, within 24 h:\n\n  ${invite}\n`,
        );
      }
    });
  },
};
