/**
 * The one entry point every layer calls before storing, serving or granting a secret: CLI `set`,
 * sync from the central store, the agent socket and provisioning. It applies every rule and
 * refuses on any production signal, any disagreement, or an environment that is not positively
 * development or staging.
 */
import { classifyEnvironment } from './environments';
import { findLiveCredential, type LiveCredentialMatch } from './live-credential-scan';
import { metadataRefusal } from './metadata';
import { classifyNameSegment } from './names';
import { refusal, ScopeRefusal, type Environment, type Refusal, type ScopeVerdict } from './verdict';

/** Everything known about one item (or one request) that bears on its scope. */
export interface ScopeInput {
  /** The environment as named by the path, the ref or the user (`dev`, `staging`, …). */
  readonly environment: string;
  /** Other name segments: project, item, field, store path segments. */
  readonly segments?: readonly string[];
  /** Central-store metadata (Vault `custom_metadata`, AWS tags). */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The secret value, as bytes; scanned in place, never copied into a string. */
  readonly value?: Uint8Array;
  /** Team-defined non-production aliases (see `environmentAliases`). */
  readonly extraAliases?: ReadonlyMap<string, Environment>;
}

function liveCredentialRefusal(match: LiveCredentialMatch): Refusal {
  return refusal(
    'PRODUCTION_REFUSED',
    match.rule,
    `The value looks like ${match.description}, which is a production credential (rule ${match.rule}); ` +
      `${match.advice}.`,
  );
}

/**
 * Applies every scope rule to `input` and returns the verdict without throwing: `ok` with the
 * canonical environment only when no rule fires. When several fire, the first production refusal
 * (environment, then segments, metadata, value) is reported, else the first unknown-environment one.
 * For callers that record refusals (sync) rather than fail.
 */
export function checkScope(input: ScopeInput): ScopeVerdict {
  const refusals: Refusal[] = [];
  const environment = classifyEnvironment(input.environment, input.extraAliases);
  if (!environment.ok) refusals.push(environment);

  // A caller outside TypeScript (the agent socket, a config file) may pass anything: fail closed.
  const segments: readonly unknown[] =
    input.segments === undefined ? [] : Array.isArray(input.segments) ? input.segments : [input.segments];
  for (const segment of segments) {
    const verdict = classifyNameSegment(segment as string);
    if (!verdict.ok) refusals.push(verdict);
  }

  const metadata = metadataRefusal(
    input.metadata,
    environment.ok ? environment.environment : undefined,
    input.extraAliases,
  );
  if (metadata !== undefined) refusals.push(metadata);

  if (input.value !== undefined) {
    const match = findLiveCredential(input.value);
    if (match !== undefined) refusals.push(liveCredentialRefusal(match));
  }

  const reported = refusals.find((r) => r.code === 'PRODUCTION_REFUSED') ?? refusals[0];
  if (reported !== undefined) return reported;
  return environment;
}

/**
 * Returns the canonical environment for `input`, or throws a ScopeRefusal (a LatchkeyError with
 * code PRODUCTION_REFUSED or UNKNOWN_ENVIRONMENT and the `rule` that fired). No setting turns it off.
 */
export function refuseProduction(input: ScopeInput): Environment {
  const verdict = checkScope(input);
  if (!verdict.ok) throw new ScopeRefusal(verdict);
  return verdict.environment;
}
