/**
 * Environment classification and the production refusal rules used by every layer.
 * Start with `refuseProduction` / `checkScope`; the other exports are the individual rules.
 */
export {
  type Environment,
  type NameVerdict,
  type Refusal,
  type RefusalCode,
  type ScopeVerdict,
  ScopeRefusal,
} from './verdict';
export {
  BUILT_IN_ENVIRONMENT_NAMES,
  ENVIRONMENTS,
  MAX_ALIAS_LENGTH,
  canonicalEnvironment,
  classifyEnvironment,
  environmentAliases,
  validateEnvironmentAlias,
} from './environments';
export { classifyNameSegment } from './names';
export { ENVIRONMENT_METADATA_KEYS, classifyMetadata, normalizeMetadataKey } from './metadata';
export {
  ENVIRONMENT_PRODUCTION_WORDS,
  NAME_PRODUCTION_WORDS,
  isExactProductionWord,
  looksLikeProductionEnvironment,
  productionWordInName,
} from './production-words';
export { foldLookalikes } from './normalize';
export {
  LIVE_CREDENTIAL_FORMATS,
  type ByteClass,
  type LiveCredentialFormat,
  type MarkerFormat,
  type UrlHostFormat,
} from './live-credentials';
export { findLiveCredential, type LiveCredentialMatch } from './live-credential-scan';
export { SCOPE_RULES, type ScopeRule } from './rules';
export { checkScope, refuseProduction, type ScopeInput } from './refuse';
