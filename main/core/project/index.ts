/**
 * The per-repo schema file, latchkey.yml (docs/latchkey-yml.md): find it, read it strictly, and
 * resolve its variables for an environment. Start with `findSchema`, `loadSchema` and
 * `resolveVariables`.
 */
export {
  DEFAULT_ROTATE_EVERY_MS,
  MAX_DESCRIPTION_LENGTH,
  MAX_OWNER_LENGTH,
  MAX_SCHEMA_BYTES,
  MAX_VARIABLES,
  parseSchema,
  schemaHash,
  type ProjectSchema,
  type VariableSpec,
} from './schema';
export { findSchema, loadSchema, SCHEMA_FILE_NAMES } from './schema-file';
export { resolveVariables, type ResolvedVariable } from './resolve';
export { checkTemplatePlaceholders, expandRefTemplate } from './ref-template';
export { MAX_DURATION_MS, parseDuration } from './duration';
export { checkVariableName, isVariableNameShape, MAX_VARIABLE_NAME_LENGTH } from './variable-name';
export { LOADER_VARIABLES, loaderVariable, type LoaderVariable } from './loader-variables';
export { MAX_EXPANDED_NODES, MAX_NESTING } from './yaml-source';
