/**
 * Reads latchkey.yml text into a YAML document that is safe to walk, or throws SCHEMA_INVALID naming
 * the file and line. Hostile input is refused before anything interprets it: control and
 * bidirectional-text characters, several documents, directives, tags, unresolved or self-referring
 * aliases, nesting deeper than a schema needs, and alias "bombs" that would expand to millions of
 * nodes. Nothing here ever expands an alias: the schema walker reads the tree as written.
 */
import {
  isAlias,
  isCollection,
  isPair,
  isScalar,
  LineCounter,
  parseDocument,
  type Document,
  type Node as YamlNode,
} from 'yaml';
import { LatchkeyError, type ErrorCode } from '../errors';
import { ScopeRefusal } from '../scope';

/** Collections nested deeper than this are refused; a schema needs four (top, variables, variable, list). */
export const MAX_NESTING = 8;

/** Nodes the document may have once aliases are counted as copies of what they point to. */
export const MAX_EXPANDED_NODES = 100_000;

// C0 controls but tab and line breaks, DEL, C1 controls, and the bidirectional-text controls that
// let a file read differently from what it means ("Trojan Source"): a person reviews this file
// before allowing it, so what they see must be what it says.
const BAD_TEXT_CHAR =
  /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// The same in a value, where tab and line feed are fine but a carriage return (from a "\r" escape)
// could overwrite a line on a terminal.
const BAD_VALUE_CHAR =
  /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A file name fit for a one-line message: controls and bidi characters shown as `\u{…}`. */
function displayName(fileName: string): string {
  return fileName
    .replace(new RegExp(BAD_VALUE_CHAR.source, 'g'), (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`)
    .replace(/[\t\n]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

function describeChar(c: string): string {
  const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  const cp = c.codePointAt(0)!;
  if (cp >= 0xd800 && cp <= 0xdfff) return `an unpaired surrogate (${code})`;
  if (cp === 0xfeff) return `a byte-order mark (${code}) after the start of the file`;
  if (
    cp === 0x061c ||
    cp === 0x200e ||
    cp === 0x200f ||
    (cp >= 0x202a && cp <= 0x202e) ||
    (cp >= 0x2066 && cp <= 0x2069)
  ) {
    return `a bidirectional-text control (${code}), which can make text read differently from what it means`;
  }
  return `the control character ${code}`;
}

/** Codes a shared check keeps when re-thrown with a location: refusals, not malformed input. */
const KEPT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'VARIABLE_REFUSED',
  'PRODUCTION_REFUSED',
  'UNKNOWN_ENVIRONMENT',
]);

/** Where in latchkey.yml something is, and how to throw an error that says so. */
export class SchemaSource {
  readonly fileName: string;
  private readonly lines = new LineCounter();
  private readonly shownName: string;

  constructor(fileName: string) {
    this.fileName = fileName;
    this.shownName = displayName(fileName);
  }

  /** The LineCounter to hand to the YAML parser. */
  get lineCounter(): LineCounter {
    return this.lines;
  }

  /** The 1-based line of a character offset in the parsed text. */
  lineAt(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  /** The line a node (or a pair, by its key) starts on, when the parser recorded one. */
  lineOf(node: unknown): number | undefined {
    const target = isPair(node) ? node.key : node;
    const range = (target as { range?: readonly number[] | null } | null)?.range;
    const start = range?.[0];
    return typeof start === 'number' ? this.lineAt(start) : undefined;
  }

  /** `latchkey.yml:12: ` or `latchkey.yml: ` when there is no line to name. */
  where(line: number | undefined): string {
    return line === undefined ? `${this.shownName}: ` : `${this.shownName}:${line}: `;
  }

  /** Throws SCHEMA_INVALID with the file and line in front of `message`. */
  fail(line: number | undefined, message: string): never {
    throw new LatchkeyError('SCHEMA_INVALID', `${this.where(line)}${message}`);
  }

  /**
   * Re-throws an error from a shared check (ref parsing, scope rules, variable names) with the file
   * and line in front. Scope refusals and VARIABLE_REFUSED keep their code and rule; any other
   * LatchkeyError becomes SCHEMA_INVALID, because here it means the file is wrong.
   */
  rethrow(error: unknown, line: number | undefined, prefix = ''): never {
    const where = `${this.where(line)}${prefix}`;
    if (error instanceof ScopeRefusal) {
      throw new ScopeRefusal({
        ok: false,
        code: error.code,
        rule: error.rule,
        reason: `${where}${error.message}`,
      });
    }
    if (error instanceof LatchkeyError) {
      const code = KEPT_CODES.has(error.code) ? error.code : 'SCHEMA_INVALID';
      throw new LatchkeyError(code, `${where}${error.message}`, { cause: error });
    }
    throw error;
  }
}

/** Throws SCHEMA_INVALID at the first character a schema may not contain. */
export function checkText(text: string, source: SchemaSource): void {
  const match = BAD_TEXT_CHAR.exec(text);
  if (match === null) return;
  const line = countLines(text, match.index);
  source.fail(line, `contains ${describeChar(match[0])}; latchkey.yml must be plain UTF-8 text`);
}

/** The 1-based line of `offset`, counting line feeds. */
export function countLines(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const YAML_ERROR_MESSAGES: Readonly<Record<string, string>> = {
  MULTIPLE_DOCS: "holds a second YAML document (after '---'); latchkey.yml is one document",
  RESOURCE_EXHAUSTION: 'is nested too deeply to read; a schema needs four levels at most',
};

function yamlMessage(code: string, message: string): string {
  const known = YAML_ERROR_MESSAGES[code];
  if (known !== undefined) return known;
  const first = (message.split('\n')[0] ?? message).slice(0, 200);
  return `YAML syntax error: ${displayName(first)}`;
}

/**
 * Parses `text` (already checked by checkText) as one YAML 1.2 document, core schema, and refuses
 * everything a schema has no use for. Returns the document for the schema walker.
 */
export function parseYaml(text: string, source: SchemaSource): Document.Parsed {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  checkText(body, source);
  const doc = parseDocument(body, {
    lineCounter: source.lineCounter,
    prettyErrors: false,
    schema: 'core',
    version: '1.2',
    merge: false,
    // Duplicates are reported by the schema walker, with the line of the first occurrence too.
    uniqueKeys: false,
    strict: true,
    keepSourceTokens: false,
  });
  const error = doc.errors[0];
  if (error !== undefined) source.fail(source.lineAt(error.pos[0]), yamlMessage(error.code, error.message));

  const directives = doc.directives;
  const customTags = Object.entries(directives?.tags ?? {}).some(
    ([handle, prefix]) => handle !== '!!' || prefix !== 'tag:yaml.org,2002:',
  );
  if (directives?.yaml.explicit === true || customTags) {
    const at = /^%/m.exec(body);
    source.fail(
      at === null ? undefined : countLines(body, at.index),
      'YAML directives (%YAML, %TAG) are not allowed',
    );
  }

  checkTree(doc, source);

  const warning = doc.warnings[0];
  if (warning !== undefined)
    source.fail(source.lineAt(warning.pos[0]), yamlMessage(warning.code, warning.message));
  return doc;
}

function childrenOf(node: unknown): unknown[] {
  if (isCollection(node)) return [...(node.items as unknown[])];
  if (isPair(node)) return [node.key, node.value];
  return [];
}

interface Frame {
  readonly node: unknown;
  readonly depth: number;
  expanded: boolean;
}

/**
 * One pass over the tree, iterative so no input can exhaust the stack: no tags, no nesting beyond
 * MAX_NESTING, every string free of control characters, every alias resolvable to an earlier,
 * completed node, and the expanded size (aliases counted as copies) at most MAX_EXPANDED_NODES —
 * the "billion laughs" check, done without expanding anything.
 */
function checkTree(doc: Document.Parsed, source: SchemaSource): void {
  const root: unknown = doc.contents;
  if (root === null || root === undefined) return;
  const sizes = new Map<unknown, number>();
  let sawAlias = false;
  const stack: Frame[] = [{ node: root, depth: isCollection(root) ? 1 : 0, expanded: false }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const { node } = frame;
    if (!frame.expanded) {
      frame.expanded = true;
      if (node !== null && node !== undefined && !isPair(node))
        checkNode(node as YamlNode, frame.depth, source);
      const children = childrenOf(node);
      for (let i = children.length - 1; i >= 0; i--) {
        const child = children[i];
        if (child === null || child === undefined) continue;
        stack.push({ node: child, depth: frame.depth + (isCollection(child) ? 1 : 0), expanded: false });
      }
      continue;
    }
    stack.pop();
    let size: number;
    if (isAlias(node)) {
      sawAlias = true;
      const target = node.resolve(doc);
      if (target === undefined) {
        source.fail(
          source.lineOf(node),
          `the alias *${displayName(node.source)} has no anchor &${displayName(node.source)} before it`,
        );
      }
      const targetSize = sizes.get(target);
      if (targetSize === undefined) {
        source.fail(
          source.lineOf(node),
          `the alias *${displayName(node.source)} refers to a node that contains it`,
        );
      }
      size = targetSize;
    } else {
      size = isPair(node) ? 0 : 1;
      for (const child of childrenOf(node))
        size += child === null || child === undefined ? 0 : (sizes.get(child) ?? 0);
    }
    if (size > MAX_EXPANDED_NODES) {
      source.fail(
        source.lineOf(node),
        sawAlias
          ? `aliases make this file expand to more than ${MAX_EXPANDED_NODES} nodes (an alias bomb?); a schema needs far fewer`
          : `has more than ${MAX_EXPANDED_NODES} YAML nodes; a schema needs far fewer`,
      );
    }
    sizes.set(node, size);
  }
}

function checkNode(node: YamlNode, depth: number, source: SchemaSource): void {
  if (depth > MAX_NESTING) {
    source.fail(
      source.lineOf(node),
      `is nested more than ${MAX_NESTING} levels deep; a schema needs four at most`,
    );
  }
  if (!isAlias(node) && typeof node.tag === 'string') {
    source.fail(
      source.lineOf(node),
      `YAML tags (${displayName(node.tag.slice(0, 80))}) are not allowed; write plain values`,
    );
  }
  if (isScalar(node) && typeof node.value === 'string') {
    const match = BAD_VALUE_CHAR.exec(node.value);
    if (match !== null)
      source.fail(source.lineOf(node), `a value contains ${describeChar(match[0])}; remove it`);
  }
}
