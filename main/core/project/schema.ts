/**
 * The per-repo schema, latchkey.yml: which project's secrets a repo needs, under which variable
 * names, in which environments — never values. Parsing is strict: every problem is an error that
 * names the file and line (`latchkey.yml:12: …`), and production is refused wherever an
 * environment can appear. The format is documented in docs/latchkey-yml.md.
 */
import { isAlias, isMap, isScalar, isSeq, type Document } from 'yaml';
import { canonicalEnvironment, ENVIRONMENTS, type Environment } from '../scope';
import { checkName, parseFieldRef, printable } from '../vault/ref';
import { parseDuration } from './duration';
import { loaderVariable } from './loader-variables';
import { checkTemplatePlaceholders, expandRefTemplate } from './ref-template';
import { checkVariableName, isVariableNameShape } from './variable-name';
import { parseYaml, SchemaSource } from './yaml-source';

/** Largest latchkey.yml read, in bytes. */
import { MAX_SCHEMA_BYTES, schemaHash } from './schema-locate';

export { MAX_SCHEMA_BYTES };
/** Most variables one schema may declare. */
export const MAX_VARIABLES = 500;
/** Rotation period when a variable sets none: 90 days. */
export const DEFAULT_ROTATE_EVERY_MS = 90 * 86_400_000;
/** Longest description and owner accepted. */
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_OWNER_LENGTH = 200;

/** One variable a repo needs. */
export interface VariableSpec {
  /** The environment variable name, e.g. STRIPE_SECRET_KEY. */
  readonly name: string;
  /** The ref as written, with `{env}` / `{project}` placeholders, e.g. `lk://payments/{env}/stripe/secret_key`. */
  readonly refTemplate: string;
  readonly description?: string;
  /** Environments where the variable is required (canonical, in file order); default both. */
  readonly environments: readonly Environment[];
  /** Whom to ask for access: an address, a channel, a team. */
  readonly owner?: string;
  /** Rotation policy in milliseconds; default 90 days. */
  readonly rotateEveryMs: number;
  /** Line of the variable's name in the file. */
  readonly line: number;
}

/** A parsed, validated latchkey.yml. */
export interface ProjectSchema {
  /** The file it was read from (absolute for loadSchema; as given for parseSchema). */
  readonly path: string;
  readonly project: string;
  readonly defaultEnvironment: Environment;
  /** In file order. */
  readonly variables: readonly VariableSpec[];
  /** Loader variables this repo explicitly allows (exact names, each on LOADER_VARIABLES). */
  readonly allowLoaderVars: readonly string[];
  /** SHA-256 (hex) of the exact file bytes: an allow/deny decision holds for these bytes only. */
  readonly hash: string;
}

const TOP_KEYS = ['project', 'default_env', 'allow_loader_vars', 'variables'] as const;
const VARIABLE_KEYS = ['ref', 'description', 'environments', 'owner', 'rotate_every'] as const;
const REF_PREFIX = 'lk://';

/** A key and its value from a mapping, aliases resolved, with the lines to blame. */
interface Entry {
  readonly key: string;
  readonly keyLine: number | undefined;
  /** The value node, alias resolved; null for an empty value. */
  readonly value: unknown;
  /** Line of the value as written (the alias when it is one), else the key's. */
  readonly line: number | undefined;
}

class SchemaWalker {
  constructor(
    private readonly doc: Document.Parsed,
    private readonly source: SchemaSource,
  ) {}

  private deref(node: unknown): unknown {
    return isAlias(node) ? (node.resolve(this.doc) ?? null) : node;
  }

  private isEmpty(node: unknown): boolean {
    return node === null || node === undefined || (isScalar(node) && node.value === null);
  }

  private kind(node: unknown): string {
    if (this.isEmpty(node)) return 'empty';
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isScalar(node)) {
      if (typeof node.value === 'string') return 'text';
      if (typeof node.value === 'number' || typeof node.value === 'bigint') return 'a number';
      if (typeof node.value === 'boolean') return 'true/false';
    }
    return 'something else';
  }

  /** The entries of a mapping, refusing non-text keys, alias keys and duplicates. */
  entries(node: unknown, line: number | undefined, what: string): Entry[] {
    if (!isMap(node))
      this.source.fail(line, `${what} must be a mapping (key: value), not ${this.kind(node)}`);
    const seen = new Map<string, number | undefined>();
    const out: Entry[] = [];
    for (const pair of node.items) {
      const keyLine = this.source.lineOf(pair.key) ?? line;
      if (isAlias(pair.key)) this.source.fail(keyLine, `a key in ${what} is an alias; write keys out`);
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string' || pair.key.value.length === 0) {
        this.source.fail(keyLine, `a key in ${what} is ${this.kind(pair.key)}; keys are plain names`);
      }
      const key = pair.key.value;
      if (seen.has(key)) {
        const first = seen.get(key);
        this.source.fail(
          keyLine,
          `duplicate key '${printable(key)}' in ${what}${first === undefined ? '' : ` (first on line ${first})`}`,
        );
      }
      seen.set(key, keyLine);
      const raw: unknown = pair.value;
      const value = this.deref(raw);
      const valueLine = this.isEmpty(raw) ? keyLine : (this.source.lineOf(raw) ?? keyLine);
      out.push({ key, keyLine, value: this.isEmpty(value) ? null : value, line: valueLine });
    }
    return out;
  }

  unknownKey(entry: Entry, allowed: readonly string[], what: string): never {
    const guess = closest(entry.key, allowed);
    this.source.fail(
      entry.keyLine,
      `unknown key '${printable(entry.key)}' in ${what}${guess === undefined ? '' : ` (did you mean '${guess}'?)`}; ` +
        `expected ${allowed.join(', ')}`,
    );
  }

  text(entry: Entry, what: string): string {
    const node = entry.value;
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    const kind = this.kind(node);
    const hint =
      kind === 'a number' || kind === 'true/false' ? '; put it in quotes if it is meant as text' : '';
    this.source.fail(entry.line, `${what} must be text, not ${kind}${hint}`);
  }

  /** The items of a list value (aliases resolved), each with its line. */
  list(entry: Entry, what: string): { value: unknown; line: number | undefined }[] {
    const node = entry.value;
    if (!isSeq(node))
      this.source.fail(entry.line, `${what} must be a list like [a, b], not ${this.kind(node)}`);
    return node.items.map((item) => ({
      value: this.deref(item),
      line: this.source.lineOf(item) ?? entry.line,
    }));
  }

  listText(item: { value: unknown; line: number | undefined }, what: string): string {
    const node = item.value;
    if (isScalar(node) && typeof node.value === 'string') return node.value;
    this.source.fail(item.line, `${what} must be text, not ${this.kind(node)}`);
  }
}

/** A near-miss of a known key (edit distance ≤ 2, or a case difference), for "did you mean". */
function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 40) return undefined;
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

function singleLine(value: string): boolean {
  return !/[\n\t]/.test(value);
}

/** Parses an environment name, re-throwing scope refusals with the line in front. */
function environmentAt(
  source: SchemaSource,
  name: string,
  line: number | undefined,
  what: string,
): Environment {
  try {
    return canonicalEnvironment(name);
  } catch (error) {
    source.rethrow(error, line, `${what}: `);
  }
}

/**
 * Parses and validates latchkey.yml text. `fileName` is used in messages and as `path`; `hash` is
 * the SHA-256 of the text's UTF-8 bytes. Throws SCHEMA_INVALID, VARIABLE_REFUSED,
 * PRODUCTION_REFUSED or UNKNOWN_ENVIRONMENT, each message starting `fileName:line:`.
 */
export function parseSchema(text: string, fileName: string): ProjectSchema {
  return parseSchemaText(text, fileName, fileName, schemaHash(Buffer.from(text, 'utf8')));
}

/** @internal Shared by parseSchema and loadSchema, which hashes the bytes it read. */
export function parseSchemaText(text: string, fileName: string, path: string, hash: string): ProjectSchema {
  const source: SchemaSource = new SchemaSource(fileName);
  if (typeof text !== 'string') source.fail(undefined, 'is not text');
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_SCHEMA_BYTES) {
    source.fail(undefined, `is ${bytes} bytes; latchkey.yml may be at most ${MAX_SCHEMA_BYTES / 1024} KiB`);
  }
  const doc = parseYaml(text, source);
  const walker: SchemaWalker = new SchemaWalker(doc, source);
  const root: unknown = doc.contents;
  if (root === null || root === undefined || (isScalar(root) && root.value === null)) {
    source.fail(undefined, 'is empty; it needs at least project: and variables:');
  }
  const top = walker.entries(root, source.lineOf(root), 'the top level');
  const byKey = new Map<string, Entry>();
  for (const entry of top) {
    if (!(TOP_KEYS as readonly string[]).includes(entry.key))
      walker.unknownKey(entry, TOP_KEYS, 'the top level');
    byKey.set(entry.key, entry);
  }

  const projectEntry = byKey.get('project');
  if (projectEntry === undefined)
    source.fail(undefined, "has no 'project:'; name the project whose secrets this repo uses");
  const project = walker.text(projectEntry, 'project');
  try {
    checkName(project, 'project');
  } catch (error) {
    source.rethrow(error, projectEntry.line);
  }

  const defaultEntry = byKey.get('default_env');
  const defaultEnvironment: Environment =
    defaultEntry === undefined
      ? 'development'
      : environmentAt(source, walker.text(defaultEntry, 'default_env'), defaultEntry.line, 'default_env');

  const allowLoaderVars: string[] = [];
  const allowEntry = byKey.get('allow_loader_vars');
  if (allowEntry !== undefined) {
    for (const item of walker.list(allowEntry, 'allow_loader_vars')) {
      const name = walker.listText(item, 'an allow_loader_vars entry');
      if (!isVariableNameShape(name) || loaderVariable(name) === undefined) {
        source.fail(
          item.line,
          `allow_loader_vars: '${printable(name)}' is not a loader variable, so there is nothing to allow ` +
            '(a typo?); list only names the loader-variable rule refuses, see docs/latchkey-yml.md',
        );
      }
      if (allowLoaderVars.includes(name)) source.fail(item.line, `allow_loader_vars lists ${name} twice`);
      allowLoaderVars.push(name);
    }
  }

  const variablesEntry = byKey.get('variables');
  if (variablesEntry === undefined) {
    source.fail(
      undefined,
      "has no 'variables:'; declare the variables this repo needs (or write variables: {})",
    );
  }
  if (variablesEntry.value === null) {
    source.fail(
      variablesEntry.line,
      'variables is empty; declare the variables this repo needs (or write variables: {})',
    );
  }
  if (isMap(variablesEntry.value) && variablesEntry.value.items.length > MAX_VARIABLES) {
    const extra = variablesEntry.value.items[MAX_VARIABLES];
    source.fail(
      source.lineOf(extra) ?? variablesEntry.line,
      `declares more than ${MAX_VARIABLES} variables; split the schema`,
    );
  }
  const variables: VariableSpec[] = [];
  const namesUpper = new Map<string, VariableSpec>();
  for (const entry of walker.entries(variablesEntry.value, variablesEntry.line, 'variables')) {
    const spec = parseVariable(walker, source, entry, project, allowLoaderVars);
    const clash = namesUpper.get(spec.name.toUpperCase());
    if (clash !== undefined) {
      source.fail(
        spec.line,
        `${spec.name} differs from ${clash.name} (line ${clash.line}) only in case; Windows treats them as one variable`,
      );
    }
    namesUpper.set(spec.name.toUpperCase(), spec);
    variables.push(spec);
  }

  return { path, project, defaultEnvironment, variables, allowLoaderVars, hash };
}

function parseVariable(
  walker: SchemaWalker,
  source: SchemaSource,
  variable: Entry,
  project: string,
  allowLoaderVars: readonly string[],
): VariableSpec {
  const name = variable.key;
  const line = variable.keyLine ?? 1;
  try {
    checkVariableName(name, allowLoaderVars);
  } catch (error) {
    source.rethrow(error, line);
  }
  if (variable.value === null) {
    source.fail(line, `variable ${name} is empty; give it at least ref: lk://${project}/{env}/item/field`);
  }
  const what = `variable ${name}`;
  let refTemplate: string | undefined;
  let description: string | undefined;
  let environments: Environment[] | undefined;
  let owner: string | undefined;
  let rotateEveryMs = DEFAULT_ROTATE_EVERY_MS;

  for (const entry of walker.entries(variable.value, variable.line, what)) {
    switch (entry.key) {
      case 'ref':
        refTemplate = checkRefTemplate(source, walker.text(entry, 'ref'), project, entry.line);
        break;
      case 'description': {
        const text = walker.text(entry, 'description');
        if (text.trim().length === 0)
          source.fail(entry.line, 'description is empty; write one or remove the key');
        if (text.length > MAX_DESCRIPTION_LENGTH) {
          source.fail(entry.line, `description is longer than ${MAX_DESCRIPTION_LENGTH} characters`);
        }
        description = text;
        break;
      }
      case 'environments': {
        const items = walker.list(entry, 'environments');
        if (items.length === 0) {
          source.fail(
            entry.line,
            'environments is empty; list where the variable is required, or leave the key out for both',
          );
        }
        const seen: Environment[] = [];
        for (const item of items) {
          const env = environmentAt(
            source,
            walker.listText(item, 'an environment'),
            item.line,
            'environments',
          );
          if (seen.includes(env)) source.fail(item.line, `environments lists ${env} twice`);
          seen.push(env);
        }
        environments = seen;
        break;
      }
      case 'owner': {
        const text = walker.text(entry, 'owner');
        if (text.trim().length === 0)
          source.fail(entry.line, 'owner is empty; say whom to ask for access or remove the key');
        if (text.length > MAX_OWNER_LENGTH || !singleLine(text)) {
          source.fail(entry.line, `owner must be one line of at most ${MAX_OWNER_LENGTH} characters`);
        }
        owner = text;
        break;
      }
      case 'rotate_every': {
        const node = entry.value;
        if (!(isScalar(node) && typeof node.value === 'string')) {
          source.fail(
            entry.line,
            'rotate_every must be a duration like 90d: a whole number and a unit s, m, h, d or w',
          );
        }
        try {
          rotateEveryMs = parseDuration(node.value);
        } catch (error) {
          source.rethrow(error, entry.line, 'rotate_every: ');
        }
        break;
      }
      default:
        walker.unknownKey(entry, VARIABLE_KEYS, what);
    }
  }
  if (refTemplate === undefined)
    source.fail(line, `variable ${name} has no ref; add ref: lk://${project}/{env}/item/field`);
  return {
    name,
    refTemplate,
    ...(description === undefined ? {} : { description }),
    environments: environments ?? [...ENVIRONMENTS],
    ...(owner === undefined ? {} : { owner }),
    rotateEveryMs,
    line,
  };
}

/**
 * A ref template must start with lk://, use only {env} and {project}, and expand to a valid field
 * reference for both environments — so resolving it can never fail later, and a fixed environment
 * segment (`lk://payments/staging/db/url`) must itself be development or staging.
 */
function checkRefTemplate(
  source: SchemaSource,
  template: string,
  project: string,
  line: number | undefined,
): string {
  if (!template.startsWith(REF_PREFIX)) {
    source.fail(
      line,
      `ref '${printable(template)}' must start with ${REF_PREFIX}, like lk://${project}/{env}/item/field`,
    );
  }
  try {
    checkTemplatePlaceholders(template);
    for (const env of ENVIRONMENTS) parseFieldRef(expandRefTemplate(template, project, env));
  } catch (error) {
    source.rethrow(error, line, 'ref: ');
  }
  return template;
}

export { schemaHash };
