/**
 * The electronegativity gate (`npm test` runs it after lint; alone: `node
 * dist/test/security/electronegativity-gate.js` after the build). Electronegativity exits 0 whatever
 * it finds, so this runs it over main/, preload/, renderer/ and package.json, reads its SARIF report,
 * and fails — one line per finding: check id, file:line, message — on every finding that no entry of
 * security/electronegativity-exclusions.json justifies. It adds findings of its own for windows
 * electronegativity cannot see (UNCHECKED_WINDOW). An entry that matches nothing fails too, so
 * the list cannot go stale, and so does an inline `eng-disable` comment (it would hide a finding
 * from the report, and from the list's review).
 *
 * It scans the TypeScript sources, not dist/: electronegativity recognises a window by the callee
 * name in `new BrowserWindow(…)`, which tsc's CommonJS output turns into
 * `new electron_1.BrowserWindow(…)`, so on dist/ every window check (contextIsolation, sandbox,
 * nodeIntegration, preload, …) silently matches nothing. docs/packaging.md has the details.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScanResult } from './electronegativity-scan';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The checked-in list of justified findings, relative to the repository root. */
export const EXCLUSIONS_FILE = 'security/electronegativity-exclusions.json';

/** What is scanned, relative to the repository root (package.json for its scripts and Electron version). */
export const SCANNED = ['main', 'preload', 'renderer', 'package.json'] as const;

/**
 * Checks skipped on the command line (`-x`), each with its reason.
 * AvailableSecurityFixesGlobalCheck downloads Electron's release list to compare with our version:
 * it needs the network, which the gate never uses. The version floor it stands for (the fix of
 * CVE-2025-55305) is checked offline by test/unit/fuses-config.test.ts.
 */
export const SKIPPED_CHECKS = ['AvailableSecurityFixesGlobalCheck'] as const;

/** Longest a scan may take before it is killed (a normal one takes about a second). */
export const SCAN_TIMEOUT_MS = 120_000;

/** Findings not tied to a file (electronegativity's global checks) carry this file name. */
export const NO_FILE = 'N/A';

/** One result of electronegativity's SARIF report. */
export interface Finding {
  /** The check id, e.g. `CONTEXT_ISOLATION_JS_CHECK`. */
  readonly check: string;
  /** Relative to the scanned root with `/` separators, or NO_FILE. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** `note` for findings electronegativity marks as needing a manual review, else `warning`. */
  readonly level: string;
}

/** One entry of the exclusion list: which finding it covers, and why that finding is acceptable. */
export interface Exclusion {
  readonly check: string;
  readonly file: string;
  /** Covers only a finding on this line. */
  readonly line?: number;
  /** Covers only a finding whose source line contains this text (survives edits above it). */
  readonly contains?: string;
  /** Covers only a finding whose message contains this text. */
  readonly message?: string;
  readonly justification: string;
}

export interface Verdict {
  readonly unjustified: readonly Finding[];
  readonly stale: readonly Exclusion[];
  readonly justified: readonly { readonly finding: Finding; readonly exclusion: Exclusion }[];
}

/** The text of line `line` (1-based) of `file` (relative to the scanned root), if there is one. */
export type SourceLine = (file: string, line: number) => string | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(record: Record<string, unknown>, key: string, where: string): unknown {
  if (!(key in record)) throw new Error(`${where}: no "${key}"`);
  return record[key];
}

function normaliseUri(uri: string): string {
  if (uri === 'file:///' || uri === NO_FILE) return NO_FILE;
  return uri.replace(/\\/g, '/').replace(/^\.\//, '');
}

/**
 * The findings of an electronegativity SARIF report. Throws on anything that is not the shape
 * electronegativity writes: a malformed report must fail the gate, not read as "no findings".
 */
export function parseSarif(text: string): Finding[] {
  const sarif: unknown = JSON.parse(text);
  if (!isRecord(sarif) || sarif.version !== '2.1.0') throw new Error('SARIF: not a SARIF 2.1.0 report');
  const runs = field(sarif, 'runs', 'SARIF');
  if (!Array.isArray(runs) || runs.length !== 1 || !isRecord(runs[0]))
    throw new Error('SARIF: expected exactly one run');
  const results = field(runs[0], 'results', 'SARIF run');
  if (!Array.isArray(results)) throw new Error('SARIF run: "results" is not a list');
  return results.map((result: unknown, index): Finding => {
    const where = `SARIF result ${index}`;
    if (!isRecord(result)) throw new Error(`${where}: not an object`);
    const check = field(result, 'ruleId', where);
    const level = field(result, 'level', where);
    const message = field(result, 'message', where);
    const locations = field(result, 'locations', where);
    const physical =
      Array.isArray(locations) && isRecord(locations[0]) ? locations[0].physicalLocation : undefined;
    const artifact = isRecord(physical) ? physical.artifactLocation : undefined;
    const region = isRecord(physical) ? physical.region : undefined;
    const uri = isRecord(artifact) ? artifact.uri : undefined;
    const line = isRecord(region) ? region.startLine : undefined;
    const column = isRecord(region) ? region.startColumn : undefined;
    if (
      typeof check !== 'string' ||
      typeof level !== 'string' ||
      !isRecord(message) ||
      typeof message.text !== 'string' ||
      typeof uri !== 'string' ||
      typeof line !== 'number' ||
      typeof column !== 'number'
    ) {
      throw new Error(`${where}: missing rule id, level, message or location`);
    }
    return { check, file: normaliseUri(uri), line, column, message: message.text, level };
  });
}

const EXCLUSION_KEYS = new Set(['check', 'file', 'line', 'contains', 'message', 'justification']);
const MIN_JUSTIFICATION = 40;

/**
 * The entries of the exclusion list. Throws, naming the entry, on an unknown key (a typo would
 * otherwise widen the entry), a missing check or file, a `contains` on a finding without a file, or
 * a justification shorter than a sentence.
 */
export function parseExclusions(text: string): Exclusion[] {
  const list: unknown = JSON.parse(text);
  if (!isRecord(list) || !Array.isArray(list.exclusions))
    throw new Error('exclusions: expected {"exclusions": [...]}');
  for (const key of Object.keys(list)) {
    if (key !== 'exclusions' && key !== '$comment') throw new Error(`exclusions: unknown key "${key}"`);
  }
  const seen = new Set<string>();
  return list.exclusions.map((entry: unknown, index): Exclusion => {
    const where = `exclusion ${index + 1}`;
    if (!isRecord(entry)) throw new Error(`${where}: not an object`);
    for (const key of Object.keys(entry)) {
      if (!EXCLUSION_KEYS.has(key)) throw new Error(`${where}: unknown key "${key}"`);
    }
    const { check, file, line, contains, message, justification } = entry;
    if (typeof check !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(check))
      throw new Error(`${where}: "check" must be a check id such as CSP_GLOBAL_CHECK`);
    if (typeof file !== 'string' || file === '')
      throw new Error(`${where}: "file" must name a file (or ${NO_FILE})`);
    if (line !== undefined && (typeof line !== 'number' || !Number.isInteger(line) || line < 1))
      throw new Error(`${where}: "line" must be a line number`);
    if (contains !== undefined && (typeof contains !== 'string' || contains.trim() === ''))
      throw new Error(`${where}: "contains" must be text`);
    if (contains !== undefined && file === NO_FILE)
      throw new Error(`${where}: a finding without a file has no source line to match "contains"`);
    if (message !== undefined && (typeof message !== 'string' || message.trim() === ''))
      throw new Error(`${where}: "message" must be text`);
    if (typeof justification !== 'string' || justification.trim().length < MIN_JUSTIFICATION) {
      throw new Error(
        `${where} (${String(check)} in ${String(file)}): the justification must say, in a sentence or more, why the finding is acceptable`,
      );
    }
    const key = JSON.stringify([check, file, line, contains, message]);
    if (seen.has(key)) throw new Error(`${where}: the same finding is already excluded by an earlier entry`);
    seen.add(key);
    return {
      check,
      file,
      justification,
      ...(line === undefined ? {} : { line }),
      ...(contains === undefined ? {} : { contains }),
      ...(message === undefined ? {} : { message }),
    };
  });
}

function covers(exclusion: Exclusion, finding: Finding, sourceLine: SourceLine): boolean {
  if (exclusion.check !== finding.check || exclusion.file !== finding.file) return false;
  if (exclusion.line !== undefined && exclusion.line !== finding.line) return false;
  if (exclusion.message !== undefined && !finding.message.includes(exclusion.message)) return false;
  if (
    exclusion.contains !== undefined &&
    !(sourceLine(finding.file, finding.line) ?? '').includes(exclusion.contains)
  )
    return false;
  return true;
}

/** Sorts findings into justified and unjustified, and finds the exclusions that cover nothing. */
export function judge(
  findings: readonly Finding[],
  exclusions: readonly Exclusion[],
  sourceLine: SourceLine,
): Verdict {
  const used = new Set<Exclusion>();
  const unjustified: Finding[] = [];
  const justified: { finding: Finding; exclusion: Exclusion }[] = [];
  for (const finding of findings) {
    const exclusion = exclusions.find((candidate) => covers(candidate, finding, sourceLine));
    if (exclusion === undefined) {
      unjustified.push(finding);
    } else {
      used.add(exclusion);
      justified.push({ finding, exclusion });
    }
  }
  return { unjustified, stale: exclusions.filter((exclusion) => !used.has(exclusion)), justified };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** One line per problem of `verdict`, for a person to act on; empty when the gate passes. */
export function describeVerdict(verdict: Verdict): string[] {
  const lines = verdict.unjustified.map(
    (f) => `electronegativity: ${f.check} ${f.file}:${f.line} ${oneLine(f.message)}`,
  );
  for (const e of verdict.stale) {
    const at = `${e.file}${e.line === undefined ? '' : `:${e.line}`}${e.contains === undefined ? '' : ` ("${e.contains}")`}`;
    lines.push(
      `electronegativity: stale exclusion ${e.check} ${at} matches no finding; remove it from ${EXCLUSIONS_FILE}`,
    );
  }
  return lines;
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** `file:line` of every `eng-disable` comment (electronegativity's inline suppression) under `dir`. */
export function inlineDisables(dir: string): string[] {
  const hits: string[] = [];
  for (const file of listFiles(dir)) {
    if (!/\.(?:[cm]?[jt]sx?|html?)$/.test(file)) continue;
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, index) => {
        if (/eng-disable/.test(text))
          hits.push(`${path.relative(dir, file).replace(/\\/g, '/')}:${index + 1}`);
      });
  }
  return hits;
}

/** The check id of a window electronegativity cannot check (a finding of this gate, not of electronegativity). */
export const UNCHECKED_WINDOW = 'LATCHKEY_UNCHECKED_WINDOW';

/**
 * Code that creates a window electronegativity's checks cannot see: they match `new BrowserWindow(`
 * and `new BrowserView(` by the callee's bare name, and know nothing of WebContentsView.
 */
const BLIND_SPOTS: readonly (readonly [RegExp, string])[] = [
  [
    /\bnew\s+[\w$]+(?:\.[\w$]+)*\.(?:BrowserWindow|BrowserView)\s*\(/g,
    'creates a window through a namespace (new x.BrowserWindow), which electronegativity does not recognise: import { BrowserWindow } and call new BrowserWindow({...})',
  ],
  [
    /\bimport\s*\{[^}]*\b(?:BrowserWindow|BrowserView)\s+as\s+[\w$]+/g,
    'renames BrowserWindow or BrowserView on import, which hides the windows from electronegativity',
  ],
  [
    /\bnew\s+WebContentsView\s*\(/g,
    'creates a WebContentsView, which electronegativity has no checks for: review its webPreferences by hand',
  ],
];

/** Findings for every window under `dir` that electronegativity cannot check (see BLIND_SPOTS). */
export function uncheckedWindows(dir: string): Finding[] {
  const findings: Finding[] = [];
  for (const file of listFiles(dir)) {
    if (!/\.(?:[cm]?[jt]sx?)$/.test(file)) continue;
    const source = readFileSync(file, 'utf8');
    for (const [pattern, message] of BLIND_SPOTS) {
      for (const match of source.matchAll(pattern)) {
        const before = source.slice(0, match.index);
        const line = before.split('\n').length;
        const column = match.index - before.lastIndexOf('\n');
        findings.push({
          check: UNCHECKED_WINDOW,
          file: path.relative(dir, file).replace(/\\/g, '/'),
          line,
          column,
          message,
          level: 'warning',
        });
      }
    }
  }
  return findings;
}

/** Copies what is scanned into `stage`, leaving out installed packages and build output. */
function stageSources(root: string, scanned: readonly string[], stage: string): void {
  for (const part of scanned) {
    const from = path.join(root, part);
    if (!existsSync(from)) continue;
    cpSync(from, path.join(stage, part), {
      recursive: true,
      filter: (source) => !['node_modules', 'dist'].includes(path.basename(source)),
    });
  }
}

export interface GateOptions {
  /** The repository (or a stand-in for it in tests). */
  readonly root: string;
  readonly scanned?: readonly string[];
  /** Path of the exclusion list relative to `root`. */
  readonly exclusionsFile?: string;
  /** The Electron version electronegativity assumes (default: the installed electron package's). */
  readonly electronVersion?: string;
}

export interface GateOutcome {
  readonly ok: boolean;
  /** What to print: the problems, or one summary line when there are none. */
  readonly lines: readonly string[];
  readonly verdict?: Verdict;
  readonly scan?: ScanResult;
}

function installedElectronVersion(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs electronegativity over `options.root` and judges its findings against the exclusion list. */
export function runGate(options: GateOptions): GateOutcome {
  const scanned = options.scanned ?? SCANNED;
  const exclusionsFile = options.exclusionsFile ?? EXCLUSIONS_FILE;
  const exclusions = parseExclusions(readFileSync(path.join(options.root, exclusionsFile), 'utf8'));
  const work = mkdtempSync(path.join(tmpdir(), 'latchkey-electronegativity-'));
  try {
    const stage = path.join(work, 'app');
    stageSources(options.root, scanned, stage);
    // The files electronegativity reads (util/file.js list_files), for the summary line.
    const readable = listFiles(stage).filter((file) =>
      /\.(?:jsx?|tsx?|html?)$|package(?:-lock)?\.json$/.test(file),
    ).length;
    const disables = inlineDisables(stage).map(
      (at) =>
        `electronegativity: inline eng-disable at ${at}; justify the finding in ${exclusionsFile} instead`,
    );

    const sarifFile = path.join(work, 'electronegativity.sarif');
    const resultFile = path.join(work, 'result.json');
    const child = spawnSync(
      process.execPath,
      [
        path.join(__dirname, 'electronegativity-scan.js'),
        stage,
        sarifFile,
        resultFile,
        options.electronVersion ?? installedElectronVersion(),
        SKIPPED_CHECKS.join(','),
      ],
      { encoding: 'utf8', timeout: SCAN_TIMEOUT_MS, killSignal: 'SIGKILL' },
    );
    if (
      child.error !== undefined ||
      child.status !== 0 ||
      !existsSync(resultFile) ||
      !existsSync(sarifFile)
    ) {
      const why =
        child.error !== undefined
          ? (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT'
            ? `no result within ${SCAN_TIMEOUT_MS / 1000} s`
            : child.error.message
          : oneLine(child.stderr).slice(0, 500) || `exit status ${String(child.status)}`;
      return { ok: false, lines: [`electronegativity: the scan failed: ${why}`] };
    }

    const scan = JSON.parse(readFileSync(resultFile, 'utf8')) as ScanResult;
    const findings = parseSarif(readFileSync(sarifFile, 'utf8'));
    const problems: string[] = [...disables];
    if (findings.length !== scan.issueCount) {
      problems.push(
        `electronegativity: the SARIF report holds ${findings.length} results but the scan found ${scan.issueCount}`,
      );
    }
    for (const { file, message } of scan.unparsed) {
      problems.push(
        `electronegativity: could not parse ${path.relative(stage, file)}, so did not check it: ${oneLine(message)}`,
      );
    }
    for (const attempt of scan.networkAttempts) {
      if (!attempt.startsWith('https://electronegativity-i18n.s3.')) {
        problems.push(`electronegativity: tried to reach the network (refused): ${attempt}`);
      }
    }

    const lines = (file: string): string[] | undefined => {
      const full = path.join(stage, file);
      return existsSync(full) ? readFileSync(full, 'utf8').split('\n') : undefined;
    };
    const verdict = judge(
      [...findings, ...uncheckedWindows(stage)],
      exclusions,
      (file, line) => lines(file)?.[line - 1],
    );
    problems.push(...describeVerdict(verdict));
    if (problems.length > 0) return { ok: false, lines: problems, verdict, scan };
    return {
      ok: true,
      lines: [
        `electronegativity: ${readable} files, ${verdict.justified.length} findings, each justified in ${exclusionsFile} ` +
          `(${scan.atomicChecks} checks and ${scan.globalChecks} global checks; skipped: ${SKIPPED_CHECKS.join(', ')})`,
      ],
      verdict,
      scan,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  let outcome: GateOutcome;
  try {
    outcome = runGate({ root: ROOT });
  } catch (error) {
    outcome = {
      ok: false,
      lines: [`electronegativity: ${error instanceof Error ? error.message : String(error)}`],
    };
  }
  process.stdout.write(`${outcome.lines.join('\n')}\n`);
  process.exitCode = outcome.ok ? 0 : 1;
}
