/** Team-lead provisioning: grant, revoke and review dev-scoped access in the central store. */
export {
  POLICY_PREFIX,
  checkDeveloper,
  developerOfPolicy,
  expiryFrom,
  isExpired,
  parseTarget,
  policyNameOf,
  targetKey,
  type Grant,
  type GrantTarget,
} from './grants';
export { describeGrants, grantPaths, readPolicy, renderPolicy, type PolicyDocument } from './policy-document';
export { StoreCalls, type PlannedCall } from './store-calls';
export {
  grantAccess,
  revokeAccess,
  reviewAccess,
  type AccessRow,
  type ChangeOutcome,
  type GrantOptions,
  type ProvisionScope,
} from './provision';
