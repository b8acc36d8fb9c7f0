/**
 * Ref templates: a field reference with `{env}` and `{project}` placeholders,
 * `lk://payments/{env}/stripe/secret_key`, turned into a concrete reference per environment.
 */
import { LatchkeyError } from '../errors';
import type { Environment } from '../scope';
import { printable } from '../vault/ref';

const PLACEHOLDER = /\{([^{}]*)\}/g;
const PLACEHOLDERS = new Set(['env', 'project']);

/**
 * Throws SCHEMA_INVALID unless every `{…}` in `template` is `{env}` or `{project}` and no brace is
 * left unpaired. Says nothing about whether the expanded reference is valid (parseFieldRef does).
 */
export function checkTemplatePlaceholders(template: string): void {
  for (const match of template.matchAll(PLACEHOLDER)) {
    if (!PLACEHOLDERS.has(match[1] ?? '')) {
      throw new LatchkeyError(
        'SCHEMA_INVALID',
        `'${printable(match[0])}' is not a placeholder: a ref may use only {env} and {project}`,
      );
    }
  }
  if (/[{}]/.test(template.replace(PLACEHOLDER, ''))) {
    throw new LatchkeyError(
      'SCHEMA_INVALID',
      `'${printable(template)}' has an unpaired brace: a ref may use only {env} and {project}`,
    );
  }
}

/** `template` with `{env}` and `{project}` replaced; other text is left exactly as written. */
export function expandRefTemplate(template: string, project: string, environment: Environment): string {
  return template.replace(PLACEHOLDER, (whole, name: string) =>
    name === 'env' ? environment : name === 'project' ? project : whole,
  );
}
