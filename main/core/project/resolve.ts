/**
 * Turning a schema into the concrete references for one environment.
 */
import { canonicalEnvironment, type Environment } from '../scope';
import { parseFieldRef, type FieldRef } from '../vault/ref';
import { expandRefTemplate } from './ref-template';
import type { ProjectSchema, VariableSpec } from './schema';

/** One variable of a schema, resolved for an environment. */
export interface ResolvedVariable {
  readonly name: string;
  readonly ref: FieldRef;
  /** True when the environment is one of the variable's `environments`. */
  readonly required: boolean;
  readonly spec: VariableSpec;
}

/**
 * Every variable of `schema`, in file order, with `{env}` and `{project}` substituted and the ref
 * parsed. Variables not required in `env` are included with `required: false` (they are injected
 * when present). `env` is re-checked, so a value from outside TypeScript cannot name production.
 * A schema from parseSchema/loadSchema never fails here: each template was checked for both
 * environments when it was parsed.
 */
export function resolveVariables(schema: ProjectSchema, env: Environment): ResolvedVariable[] {
  const environment = canonicalEnvironment(env);
  return schema.variables.map((spec) => ({
    name: spec.name,
    ref: parseFieldRef(expandRefTemplate(spec.refTemplate, schema.project, environment)),
    required: spec.environments.includes(environment),
    spec,
  }));
}
