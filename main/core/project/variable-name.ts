/**
 * Names of the environment variables Latchkey injects: plain portable names, never Latchkey's own
 * settings, and never a name that changes how programs load code unless the repo allows it.
 */
import { LatchkeyError } from '../errors';
import { printable } from '../vault/ref';
import { loaderVariable } from './loader-variables';

/** Longest variable name accepted. */
export const MAX_VARIABLE_NAME_LENGTH = 128;

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Latchkey's own settings (LATCHKEY_HOME, LATCHKEY_SOCK): a secret must never redirect the CLI. */
const RESERVED_PREFIX = 'LATCHKEY_';

/**
 * Throws VARIABLE_REFUSED unless `name` may be injected into a process: it must match
 * `^[A-Za-z_][A-Za-z0-9_]*$` (at most 128 characters), must not start with `LATCHKEY_` (any case),
 * and must not be a loader variable (see LOADER_VARIABLES, matched without regard to case) unless
 * `allowList` holds exactly this name. The allow list is taken as given: a schema checks its own
 * `allow_loader_vars` entries when it is parsed.
 */
export function checkVariableName(name: string, allowList: readonly string[]): void {
  if (
    typeof name !== 'string' ||
    name.length === 0 ||
    name.length > MAX_VARIABLE_NAME_LENGTH ||
    !VARIABLE_NAME.test(name)
  ) {
    throw new LatchkeyError(
      'VARIABLE_REFUSED',
      `'${printable(String(name))}' is not a usable environment variable name: use letters, digits and '_', ` +
        `not starting with a digit, at most ${MAX_VARIABLE_NAME_LENGTH} characters`,
    );
  }
  if (name.toUpperCase().startsWith(RESERVED_PREFIX)) {
    throw new LatchkeyError(
      'VARIABLE_REFUSED',
      `${name} is reserved: names starting with ${RESERVED_PREFIX} are Latchkey's own settings and a secret may not set them; choose another name`,
    );
  }
  const loader = loaderVariable(name);
  if (loader !== undefined && !allowList.includes(name)) {
    throw new LatchkeyError(
      'VARIABLE_REFUSED',
      `${name} changes how programs load code — ${loader.reason} — so Latchkey will not set it; ` +
        `if this repo really needs it, add ${name} to allow_loader_vars in latchkey.yml`,
    );
  }
}

/** True when `name` has the shape of a variable name (no policy: see checkVariableName). */
export function isVariableNameShape(name: string): boolean {
  return name.length <= MAX_VARIABLE_NAME_LENGTH && VARIABLE_NAME.test(name);
}
