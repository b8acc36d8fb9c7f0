/**
 * Every rule id a scope refusal can carry, in one list, so docs/scopes.md is checked against it.
 */
import { LIVE_CREDENTIAL_FORMATS } from './live-credentials';
import type { RefusalCode } from './verdict';

export interface ScopeRule {
  readonly id: string;
  readonly code: RefusalCode;
  readonly summary: string;
}

const NAME_AND_METADATA_RULES: readonly ScopeRule[] = [
  {
    id: 'environment-name-production',
    code: 'PRODUCTION_REFUSED',
    summary: 'The environment name carries a production word in some spelling.',
  },
  {
    id: 'environment-name-unknown',
    code: 'UNKNOWN_ENVIRONMENT',
    summary: 'The environment name is not exactly development, staging or one of their aliases.',
  },
  {
    id: 'environment-alias-production',
    code: 'PRODUCTION_REFUSED',
    summary: 'A team alias looks like production.',
  },
  {
    id: 'environment-alias-invalid',
    code: 'UNKNOWN_ENVIRONMENT',
    summary: 'A team alias is not 1–32 ASCII letters or does not map to development or staging.',
  },
  {
    id: 'environment-alias-conflict',
    code: 'UNKNOWN_ENVIRONMENT',
    summary: 'A team alias would redefine a built-in name as the other environment.',
  },
  {
    id: 'name-production-word',
    code: 'PRODUCTION_REFUSED',
    summary: 'A project, item, field or store path name has a production word as a token.',
  },
  { id: 'name-not-text', code: 'UNKNOWN_ENVIRONMENT', summary: 'A name segment is not text.' },
  {
    id: 'metadata-production',
    code: 'PRODUCTION_REFUSED',
    summary: 'Metadata names production (an environment key, or any value that is a production word).',
  },
  {
    id: 'metadata-disagrees',
    code: 'PRODUCTION_REFUSED',
    summary: 'Metadata names the other environment than the path.',
  },
  {
    id: 'metadata-unknown',
    code: 'UNKNOWN_ENVIRONMENT',
    summary: 'An environment metadata key names no known environment or is not text.',
  },
  {
    id: 'metadata-unreadable',
    code: 'UNKNOWN_ENVIRONMENT',
    summary: 'The metadata is not a key/value object, or is too deep or too large to check.',
  },
];

/** All rule ids with their code; live-credential rules come from LIVE_CREDENTIAL_FORMATS. */
export const SCOPE_RULES: readonly ScopeRule[] = [
  ...NAME_AND_METADATA_RULES,
  ...[...new Map(LIVE_CREDENTIAL_FORMATS.map((f) => [f.rule, f.description])).entries()].map(
    ([id, description]): ScopeRule => ({
      id,
      code: 'PRODUCTION_REFUSED',
      summary: `The value contains ${description}.`,
    }),
  ),
];
