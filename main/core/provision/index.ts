/** Team-lead provisioning: grant, revoke and review dev-scoped access in the central store. */
export {
  POLICY_PREFIX,
  checkDeveloper,
  developerOfPolicy,
  expiryFrom,
  isExpired,
  isPlainName,
  parseTarget,
  policyNameOf,
  targetKey,
  type Grant,
  type GrantTarget,
} from './grants';
export { describeGrants, grantPaths, readPolicy, renderPolicy, type PolicyDocument } from './policy-document';
export { StoreCalls, describeCall, type PlannedCall } from './store-calls';
export {
  grantAccess,
  revokeAccess,
  reviewAccess,
  type AccessRow,
  type ChangeOutcome,
  type GrantOptions,
  type ProvisionScope,
} from './provision';
export {
  INVITE_TOKEN_TTL,
  INVITE_WRAP_TTL,
  chooseStore,
  createInvite,
  withStoreCalls,
} from './store-session';
