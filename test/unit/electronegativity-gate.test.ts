// The electronegativity gate: its reading of SARIF reports and of the exclusion list on crafted
// samples, and whole scans of small stand-in source trees (real electronegativity, offline).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  EXCLUSIONS_FILE,
  NO_FILE,
  UNCHECKED_WINDOW,
  describeVerdict,
  judge,
  parseExclusions,
  parseSarif,
  runGate,
  type Finding,
  type SourceLine,
} from '../security/electronegativity-gate';

const root = path.resolve(__dirname, '../../..');

interface SampleResult {
  readonly ruleId: string;
  readonly uri: string;
  readonly line: number;
  readonly text: string;
}

/** A SARIF report shaped the way electronegativity 1.10 writes one. */
function sarif(results: readonly SampleResult[]): string {
  return JSON.stringify({
    $schema: 'http://json.schemastore.org/sarif-2.1.0',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'Electronegativity', version: '1.10.3', rules: [] } },
        results: results.map((r) => ({
          ruleId: r.ruleId,
          level: 'warning',
          message: { text: r.text },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: r.uri },
                region: { startLine: r.line, startColumn: 5, charLength: 10 },
              },
            },
          ],
        })),
      },
    ],
  });
}

const SANDBOX: SampleResult = {
  ruleId: 'SANDBOX_JS_CHECK',
  uri: 'main/app/window.ts',
  line: 12,
  text: 'Use Chromium’s sandbox',
};

const WINDOW_SOURCE = ['', '', '', '', '', '', '', '', '', '', '', '      sandbox: isTrusted,'];
const sourceOfWindow: SourceLine = (file, line) =>
  file === 'main/app/window.ts' ? WINDOW_SOURCE[line - 1] : undefined;

function exclusions(entries: readonly Record<string, unknown>[]): string {
  return JSON.stringify({ exclusions: entries });
}

const JUSTIFICATION =
  'Reviewed: the value is a constant true in every build, so the renderer is always sandboxed.';

void describe('the gate on a crafted SARIF report', () => {
  void test('an unjustified finding fails the gate with one line: check id, file:line, message', () => {
    const verdict = judge(parseSarif(sarif([SANDBOX])), parseExclusions(exclusions([])), sourceOfWindow);
    assert.equal(verdict.unjustified.length, 1);
    assert.deepEqual(describeVerdict(verdict), [
      'electronegativity: SANDBOX_JS_CHECK main/app/window.ts:12 Use Chromium’s sandbox',
    ]);
  });

  void test('a finding justified by an exclusion passes', () => {
    const list = parseExclusions(
      exclusions([{ check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts', justification: JUSTIFICATION }]),
    );
    const verdict = judge(parseSarif(sarif([SANDBOX])), list, sourceOfWindow);
    assert.deepEqual(describeVerdict(verdict), []);
    assert.equal(verdict.justified.length, 1);
  });

  void test('an exclusion that matches no finding fails the gate as stale', () => {
    const list = parseExclusions(
      exclusions([
        { check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts', justification: JUSTIFICATION },
        { check: 'PRELOAD_JS_CHECK', file: 'main/app/window.ts', line: 20, justification: JUSTIFICATION },
      ]),
    );
    const verdict = judge(parseSarif(sarif([SANDBOX])), list, sourceOfWindow);
    assert.deepEqual(describeVerdict(verdict), [
      `electronegativity: stale exclusion PRELOAD_JS_CHECK main/app/window.ts:20 matches no finding; remove it from ${EXCLUSIONS_FILE}`,
    ]);
  });

  void test('an exclusion pinned to a line does not cover the same check on another line', () => {
    const list = parseExclusions(
      exclusions([
        { check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts', line: 40, justification: JUSTIFICATION },
      ]),
    );
    const verdict = judge(parseSarif(sarif([SANDBOX])), list, sourceOfWindow);
    assert.equal(verdict.unjustified.length, 1);
    assert.equal(verdict.stale.length, 1);
  });

  void test('an exclusion naming another file does not cover the finding', () => {
    const list = parseExclusions(
      exclusions([{ check: 'SANDBOX_JS_CHECK', file: 'main/app/tray.ts', justification: JUSTIFICATION }]),
    );
    const verdict = judge(parseSarif(sarif([SANDBOX])), list, sourceOfWindow);
    assert.equal(verdict.unjustified.length, 1);
    assert.equal(verdict.stale.length, 1);
  });

  void test('an exclusion with "contains" covers the finding only while its source line holds that text', () => {
    const list = parseExclusions(
      exclusions([
        {
          check: 'SANDBOX_JS_CHECK',
          file: 'main/app/window.ts',
          contains: 'sandbox: isTrusted',
          justification: JUSTIFICATION,
        },
      ]),
    );
    assert.deepEqual(describeVerdict(judge(parseSarif(sarif([SANDBOX])), list, sourceOfWindow)), []);
    const edited: SourceLine = () => '      sandbox: false,';
    const verdict = judge(parseSarif(sarif([SANDBOX])), list, edited);
    assert.equal(verdict.unjustified.length, 1);
    assert.equal(verdict.stale.length, 1);
  });

  void test('a global finding without a file is matched by N/A and the text of its message', () => {
    const noCsp: SampleResult = {
      ruleId: 'CSP_GLOBAL_CHECK',
      uri: 'file:///',
      line: 1,
      text: 'No CSP has been detected in the target application',
    };
    const weakCsp: SampleResult = {
      ruleId: 'CSP_GLOBAL_CHECK',
      uri: 'file:///',
      line: 1,
      text: 'One or more CSP directives detected are vulnerable',
    };
    const findings = parseSarif(sarif([noCsp, weakCsp]));
    assert.equal(findings[0]?.file, NO_FILE);
    const list = parseExclusions(
      exclusions([
        {
          check: 'CSP_GLOBAL_CHECK',
          file: NO_FILE,
          message: 'No CSP has been detected',
          justification: JUSTIFICATION,
        },
      ]),
    );
    const verdict = judge(findings, list, sourceOfWindow);
    assert.deepEqual(
      verdict.unjustified.map((f: Finding) => f.message),
      ['One or more CSP directives detected are vulnerable'],
    );
  });

  void test('Windows separators in a SARIF path are read as /', () => {
    const [finding] = parseSarif(sarif([{ ...SANDBOX, uri: 'main\\app\\window.ts' }]));
    assert.equal(finding?.file, 'main/app/window.ts');
  });

  void test('a malformed report is an error, not an empty list of findings', () => {
    assert.throws(() => parseSarif('{"version":"2.1.0","runs":[]}'), /exactly one run/);
    assert.throws(
      () => parseSarif('{"version":"2.1.0","runs":[{"results":[{"ruleId":"X"}]}]}'),
      /SARIF result 0/,
    );
    assert.throws(() => parseSarif('{"runs":[{"results":[]}]}'), /SARIF 2\.1\.0/);
    assert.throws(() => parseSarif('not json'));
  });
});

void describe('the exclusion list', () => {
  void test('an entry without a justification, or with a token one, is refused', () => {
    assert.throws(
      () => parseExclusions(exclusions([{ check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts' }])),
      /justification/,
    );
    assert.throws(
      () =>
        parseExclusions(
          exclusions([{ check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts', justification: 'fine' }]),
        ),
      /justification/,
    );
  });

  void test('a misspelt key is refused rather than ignored (it would widen the entry)', () => {
    assert.throws(
      () =>
        parseExclusions(
          exclusions([
            {
              check: 'SANDBOX_JS_CHECK',
              file: 'main/app/window.ts',
              lines: 12,
              justification: JUSTIFICATION,
            },
          ]),
        ),
      /unknown key "lines"/,
    );
  });

  void test('an entry must name a check id and a file', () => {
    assert.throws(
      () =>
        parseExclusions(
          exclusions([{ check: 'SandboxJSCheck', file: 'x.ts', justification: JUSTIFICATION }]),
        ),
      /check id/,
    );
    assert.throws(
      () => parseExclusions(exclusions([{ check: 'SANDBOX_JS_CHECK', justification: JUSTIFICATION }])),
      /"file"/,
    );
  });

  void test('"contains" on a finding without a file is refused (there is no line to read)', () => {
    assert.throws(
      () =>
        parseExclusions(
          exclusions([
            { check: 'CSP_GLOBAL_CHECK', file: NO_FILE, contains: 'x', justification: JUSTIFICATION },
          ]),
        ),
      /no source line/,
    );
  });

  void test('the same finding excluded twice is refused', () => {
    const entry = { check: 'SANDBOX_JS_CHECK', file: 'main/app/window.ts', justification: JUSTIFICATION };
    assert.throws(() => parseExclusions(exclusions([entry, entry])), /already excluded/);
  });

  void test('the checked-in list is well formed and every entry is justified', () => {
    const list = parseExclusions(readFileSync(path.join(root, EXCLUSIONS_FILE), 'utf8'));
    for (const entry of list) assert.ok(entry.justification.length >= 40, `${entry.check} in ${entry.file}`);
  });
});

void describe('the gate on a real scan (offline)', () => {
  const dirs: string[] = [];
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in repository: `files` (path → content) and an exclusion list. */
  function repository(
    files: Record<string, string>,
    excluded: readonly Record<string, unknown>[] = [],
  ): string {
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-gate-test-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries({ ...files, [EXCLUSIONS_FILE]: exclusions(excluded) })) {
      mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      writeFileSync(path.join(dir, name), content);
    }
    return dir;
  }

  const window = (preferences: string): string =>
    [
      "import { BrowserWindow } from 'electron';",
      '',
      'export function open(): BrowserWindow {',
      '  const window = new BrowserWindow({',
      '    webPreferences: {',
      preferences,
      "      disableBlinkFeatures: 'Auxclick',",
      '    },',
      '  });',
      "  window.webContents.on('will-navigate', (event) => event.preventDefault());",
      "  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));",
      '  window.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));',
      '  return window;',
      '}',
      '',
    ].join('\n');
  const SAFE = '      contextIsolation: true,\n      sandbox: true,\n      nodeIntegration: false,';
  const noCsp = { check: 'CSP_GLOBAL_CHECK', file: NO_FILE, message: 'No CSP', justification: JUSTIFICATION };

  void test('an insecure TypeScript window fails the gate, one line per finding naming check and line', () => {
    const dir = repository(
      // No `sandbox` key: electronegativity 1.10 drops nodeIntegration findings whenever one is present.
      { 'main/app/window.ts': window('      contextIsolation: false,\n      nodeIntegration: true,') },
      [noCsp],
    );
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.equal(outcome.ok, false);
    assert.deepEqual(outcome.lines.map((line) => line.split(' ').slice(0, 3).join(' ')).sort(), [
      'electronegativity: CONTEXT_ISOLATION_JS_CHECK main/app/window.ts:6',
      'electronegativity: NODE_INTEGRATION_JS_CHECK main/app/window.ts:7',
      'electronegativity: SANDBOX_JS_CHECK main/app/window.ts:4',
    ]);
  });

  void test('a secure window with its findings justified passes, and the scan never reached the network', () => {
    const dir = repository({ 'main/app/window.ts': window(SAFE) }, [noCsp]);
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.deepEqual(
      outcome.lines.filter((line) => !line.includes('findings, each justified')),
      [],
    );
    assert.equal(outcome.ok, true);
    // The only attempt is electronegativity's translation download at start-up, refused by the stub.
    assert.ok(
      (outcome.scan?.networkAttempts ?? []).every((url) =>
        url.startsWith('https://electronegativity-i18n.s3.'),
      ),
    );
  });

  void test('a stale entry in the checked-in list of a stand-in repository fails the gate', () => {
    const dir = repository({ 'main/app/window.ts': window(SAFE) }, [
      noCsp,
      { check: 'PRELOAD_JS_CHECK', file: 'main/app/window.ts', justification: JUSTIFICATION },
    ]);
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.equal(outcome.ok, false);
    assert.match(
      outcome.lines.join('\n'),
      /stale exclusion PRELOAD_JS_CHECK main\/app\/window\.ts matches no finding/,
    );
  });

  void test('an inline eng-disable comment fails the gate (exclusions live in the checked-in list)', () => {
    const dir = repository(
      {
        'main/app/window.ts': window(SAFE).replace(
          'new BrowserWindow({',
          'new BrowserWindow({ // eng-disable SANDBOX_JS_CHECK',
        ),
      },
      [noCsp],
    );
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.equal(outcome.ok, false);
    assert.match(outcome.lines.join('\n'), /inline eng-disable at main\/app\/window\.ts:4/);
  });

  void test('a window electronegativity cannot see (namespace import, WebContentsView) fails the gate', () => {
    const hidden = window(SAFE)
      .replace("import { BrowserWindow } from 'electron';", "import * as electron from 'electron';")
      .replace('open(): BrowserWindow', 'open(): electron.BrowserWindow')
      .replace('new BrowserWindow(', 'new electron.BrowserWindow(');
    const view =
      "import { WebContentsView } from 'electron';\nexport const view = new WebContentsView({ webPreferences: {} });\n";
    const dir = repository({ 'main/app/window.ts': hidden, 'main/app/view.ts': view }, [noCsp]);
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.equal(outcome.ok, false);
    assert.deepEqual(outcome.lines.map((line) => line.split(' ').slice(0, 3).join(' ')).sort(), [
      `electronegativity: ${UNCHECKED_WINDOW} main/app/view.ts:2`,
      `electronegativity: ${UNCHECKED_WINDOW} main/app/window.ts:4`,
    ]);
  });

  void test('a file electronegativity cannot parse fails the gate (it was not checked)', () => {
    const dir = repository(
      { 'main/app/window.ts': window(SAFE), 'main/app/broken.ts': 'export const = ;\n' },
      [noCsp],
    );
    const outcome = runGate({ root: dir, scanned: ['main'], electronVersion: '45.5.0' });
    assert.equal(outcome.ok, false);
    assert.match(outcome.lines.join('\n'), /could not parse main\/app\/broken\.ts/);
  });
});
