/**
 * The ACL policy Latchkey writes for one developer, `latchkey-dev-<developer>`, and how it is read
 * back. The text is fully determined by its grants, which it carries in a metadata comment:
 *
 *   # latchkey-managed: read and list on development and staging paths only. Managed by
 *   # 'latchkey grant' and 'latchkey revoke'; edits by hand are reported by 'latchkey access'.
 *   # latchkey-grants: {"v":1,"developer":"alice","mount":"secret","layout":"teams/{project}/{env}/{item}","grants":[…]}
 *
 *   # payments/development
 *   path "secret/data/teams/payments/development/*" { capabilities = ["read", "list"] }
 *   path "secret/metadata/teams/payments/development/*" { capabilities = ["read", "list"] }
 *
 * Reading one back re-renders it from its grants: any difference is an edit by hand. Every path a
 * policy names — ours or edited — is scanned for production names, so a policy that already
 * reaches production is never merged into (PRODUCTION_REFUSED, nothing written).
 */
import { LatchkeyError } from '../errors';
import { classifyEnvironment, classifyNameSegment } from '../scope';
import { parseLayout, type Layout } from '../sync/layout';
import { checkDeveloper, isPlainName, targetKey, type Grant, type GrantTarget } from './grants';

export const GRANTS_MARKER = '# latchkey-grants: ';
const CAPABILITIES = '["read", "list"]';

export interface PolicyScope {
  readonly developer: string;
  /** The KV v2 mount (e.g. `secret`). */
  readonly mount: string;
  readonly layout: string;
}

export interface PolicyDocument extends PolicyScope {
  readonly grants: readonly Grant[];
}

/** The path prefix (no mount) holding exactly one project environment under the layout. */
export function targetPrefix(layout: Layout, target: GrantTarget): string {
  const parts: string[] = [];
  for (const s of layout.segments) {
    if (s.kind === 'item') break;
    parts.push(s.kind === 'literal' ? s.value : s.kind === 'project' ? target.project : target.env);
  }
  return `${parts.join('/')}/`;
}

/** The ACL paths a grant adds: data and metadata of the environment's folder, nothing above it. */
export function grantPaths(scope: PolicyScope, target: GrantTarget): string[] {
  const prefix = targetPrefix(parseLayout(scope.layout), target);
  return [`${scope.mount}/data/${prefix}*`, `${scope.mount}/metadata/${prefix}*`];
}

function sortGrants(grants: readonly Grant[]): Grant[] {
  return [...grants].sort((a, b) => targetKey(a).localeCompare(targetKey(b)));
}

/** The policy text for a set of grants (deterministic: the same grants give the same bytes). */
export function renderPolicy(doc: PolicyDocument): string {
  const grants = sortGrants(doc.grants);
  const meta = {
    v: 1,
    developer: doc.developer,
    mount: doc.mount,
    layout: doc.layout,
    grants: grants.map((g) => ({
      project: g.project,
      env: g.env,
      grantedAt: g.grantedAt,
      ...(g.expires ? { expires: g.expires } : {}),
    })),
  };
  const lines = [
    `# latchkey-managed: read and list on development and staging paths only, for ${doc.developer}.`,
    "# Managed by 'latchkey grant' and 'latchkey revoke'; 'latchkey access' reports edits by hand.",
    `${GRANTS_MARKER}${JSON.stringify(meta)}`,
  ];
  for (const g of grants) {
    lines.push('', `# ${targetKey(g)}${g.expires ? ` (expires ${g.expires})` : ''}`);
    for (const path of grantPaths(doc, g))
      lines.push(`path "${path}" {`, `  capabilities = ${CAPABILITIES}`, '}');
  }
  return `${lines.join('\n')}\n`;
}

export interface ReadPolicy {
  /** The grants the metadata comment records; undefined when it has none we can read. */
  readonly document?: PolicyDocument;
  /** True when the text is not exactly what its grants render to (edited by hand, or foreign). */
  readonly edited: boolean;
  /** Every `path "…"` the policy names. */
  readonly paths: readonly string[];
  /** Paths that name a production (or unclassifiable) environment. */
  readonly productionPaths: readonly string[];
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function parseMeta(line: string): PolicyDocument | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(GRANTS_MARKER.length));
  } catch {
    return undefined;
  }
  const m = raw as Record<string, unknown>;
  if (typeof m !== 'object' || m === null || m.v !== 1 || !Array.isArray(m.grants)) return undefined;
  if (typeof m.developer !== 'string' || typeof m.mount !== 'string' || typeof m.layout !== 'string')
    return undefined;
  try {
    checkDeveloper(m.developer);
    parseLayout(m.layout);
  } catch {
    return undefined;
  }
  const grants: Grant[] = [];
  for (const g of m.grants as Record<string, unknown>[]) {
    if (typeof g !== 'object' || g === null) return undefined;
    const { project, env, grantedAt, expires } = g;
    if (typeof project !== 'string' || typeof env !== 'string' || typeof grantedAt !== 'string')
      return undefined;
    // Only what `parseTarget` accepts: anything else was not written by Latchkey.
    if (!isPlainName(project) || !isPlainName(env) || !classifyNameSegment(project).ok) return undefined;
    if (
      !ISO.test(grantedAt) ||
      (expires !== undefined && (typeof expires !== 'string' || !ISO.test(expires)))
    )
      return undefined;
    const verdict = classifyEnvironment(env);
    if (!verdict.ok) return undefined;
    grants.push({
      project,
      env,
      environment: verdict.environment,
      grantedAt,
      ...(typeof expires === 'string' ? { expires } : {}),
    });
  }
  return { developer: m.developer, mount: m.mount, layout: m.layout, grants };
}

/** The `path "…"` strings of an HCL policy (ours or anyone's). */
export function policyPaths(text: string): string[] {
  return [...text.matchAll(/^\s*path\s+"([^"]*)"/gm)].map((m) => m[1]!);
}

/**
 * True when a policy path names production (or an environment that is not development or staging)
 * anywhere. Under our mount and layout: the segment in the environment position must be dev or
 * staging, and a glob above the environment level along the layout reaches every environment.
 */
export function namesProduction(path: string, layout?: Layout, mount?: string): boolean {
  const segments = path
    .replace(/[*+]+$/, '')
    .split('/')
    .filter(Boolean);
  if (segments.some((s) => s !== '+' && !classifyNameSegment(s).ok)) return true;
  if (layout === undefined || mount === undefined) return false;
  const mountParts = mount.split('/');
  if (segments.slice(0, mountParts.length).join('/') !== mount) return false;
  const rest = segments.slice(mountParts.length + 1); // after data/ or metadata/
  const envAt = layout.segments.findIndex((s) => s.kind === 'env');
  // Only a path that follows the layout's fixed segments can reach the layout's environments.
  for (let i = 0; i < Math.min(rest.length, envAt); i++) {
    const s = layout.segments[i]!;
    if (s.kind === 'literal' && rest[i] !== s.value && rest[i] !== '+') return false;
  }
  const env = rest[envAt];
  if (env !== undefined) return env === '+' || !classifyEnvironment(env).ok;
  return /[*+]$/.test(path) || path.endsWith('/');
}

/** Reads a policy's text: its grants, whether it was edited, and any production paths in it. */
export function readPolicy(text: string, scope?: Pick<PolicyScope, 'mount' | 'layout'>): ReadPolicy {
  const metaLine = text.split('\n').find((l) => l.startsWith(GRANTS_MARKER));
  const document = metaLine === undefined ? undefined : parseMeta(metaLine);
  const paths = policyPaths(text);
  const layoutText = scope?.layout ?? document?.layout;
  const mount = scope?.mount ?? document?.mount;
  let layout: Layout | undefined;
  try {
    layout = layoutText === undefined ? undefined : parseLayout(layoutText);
  } catch {
    layout = undefined;
  }
  const productionPaths = paths.filter((p) => namesProduction(p, layout, mount));
  const edited = document === undefined || renderPolicy(document) !== text;
  return { ...(document ? { document } : {}), edited, paths, productionPaths };
}

/** Environments a document grants, for reports: `payments/development (expires …)`. */
export function describeGrants(grants: readonly Grant[]): string[] {
  return sortGrants(grants).map(
    (g) => `${targetKey(g)}${g.expires ? ` (expires ${g.expires.slice(0, 10)})` : ''}`,
  );
}

export function assertNoProduction(read: ReadPolicy, policy: string): void {
  if (read.productionPaths.length > 0) {
    throw new LatchkeyError(
      'PRODUCTION_REFUSED',
      `the existing policy '${policy}' already names a production path (${read.productionPaths[0]!.slice(0, 120)}); Latchkey will not add to it — fix or delete it by hand first; nothing was written`,
    );
  }
}
