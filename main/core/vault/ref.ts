/**
 * Secret references: `lk://<project>/<environment>/<item>[/<field>]` (the `lk://` prefix is optional
 * on the command line). Names are validated strictly so a ref can never smuggle a path separator,
 * `..`, whitespace or control characters into a store path, a file name or a terminal.
 */
import { LatchkeyError } from '../errors';
import { canonicalEnvironment, classifyNameSegment, ScopeRefusal, type Environment } from '../scope';

export interface ItemRef {
  readonly project: string;
  readonly environment: Environment;
  readonly item: string;
}

export interface FieldRef extends ItemRef {
  readonly field: string;
}

export interface PartialRef {
  readonly project: string;
  readonly environment?: Environment;
  readonly item?: string;
  readonly field?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const PREFIX = 'lk://';

/** Throws INVALID_REF unless `name` is a plain name: letters, digits, `_ . -`, at most 64, no `..`. */
export function checkName(name: string, what: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new LatchkeyError(
      'INVALID_REF',
      `${what} '${printable(name)}' is not a valid name: use letters, digits, '_', '.' and '-' (at most 64, starting with a letter or digit)`,
    );
  }
  const verdict = classifyNameSegment(name);
  if (!verdict.ok) throw new ScopeRefusal(verdict);
  return name;
}

/** Shows a user-supplied name in an error without letting control characters reach the terminal. */
export function printable(s: string): string {
  const shown = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  return shown.replace(/[^\x20-\x7e]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function splitRef(text: string): string[] {
  const body = text.startsWith(PREFIX) ? text.slice(PREFIX.length) : text;
  if (body.length === 0 || body.length > 300) {
    throw new LatchkeyError(
      'INVALID_REF',
      `'${printable(text)}' is not a reference; write lk://project/environment/item/field`,
    );
  }
  return body.split('/');
}

function envOf(segment: string): Environment {
  if (segment.length === 0)
    throw new LatchkeyError('INVALID_REF', 'the environment part of the reference is empty');
  return canonicalEnvironment(segment);
}

/** Parses a full field reference (four parts). The environment is canonicalised; production is refused. */
export function parseFieldRef(text: string): FieldRef {
  const parts = splitRef(text);
  if (parts.length !== 4) {
    throw new LatchkeyError(
      'INVALID_REF',
      `'${printable(text)}' must have four parts: lk://project/environment/item/field`,
    );
  }
  const [project, env, item, field] = parts as [string, string, string, string];
  checkName(project, 'project');
  const environment = envOf(env);
  return { project, environment, item: checkName(item, 'item'), field: checkName(field, 'field') };
}

/** Parses an item reference (three parts) or a field reference when `allowField`. */
export function parseItemOrFieldRef(text: string): ItemRef & { field?: string } {
  const parts = splitRef(text);
  if (parts.length === 4) return parseFieldRef(text);
  if (parts.length !== 3) {
    throw new LatchkeyError(
      'INVALID_REF',
      `'${printable(text)}' must be lk://project/environment/item[/field]`,
    );
  }
  const [project, env, item] = parts as [string, string, string];
  checkName(project, 'project');
  return { project, environment: envOf(env), item: checkName(item, 'item') };
}

/** Parses a listing filter: `project` or `project/environment`. */
export function parseRefFilter(text: string): PartialRef {
  const parts = splitRef(text.endsWith('/') ? text.slice(0, -1) : text);
  if (parts.length > 2) {
    throw new LatchkeyError('INVALID_REF', `'${printable(text)}' must be a project or project/environment`);
  }
  const project = checkName(parts[0]!, 'project');
  return parts.length === 2 ? { project, environment: envOf(parts[1]!) } : { project };
}

export function formatItemRef(r: ItemRef): string {
  return `${PREFIX}${r.project}/${r.environment}/${r.item}`;
}

export function formatFieldRef(r: FieldRef): string {
  return `${formatItemRef(r)}/${r.field}`;
}
