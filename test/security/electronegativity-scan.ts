/**
 * The child process of the electronegativity gate (electronegativity-gate.ts, which holds the
 * timeout): runs electronegativity's own runner over one directory with the network cut off, lets
 * it write its SARIF report, and writes beside it what the SARIF leaves out — the files it could
 * not parse, the number of issues it found, and any attempt to reach the network.
 *
 *   node electronegativity-scan.js <input dir> <sarif file> <result file> <electron version> <skipped checks,…>
 *
 * Electronegativity goes online in two places, both through `got`: at every start it fetches
 * translations of its messages (and of its own CLI option names) from S3, and the
 * AvailableSecurityFixesGlobalCheck fetches Electron's release list. Here `got` is replaced before
 * electronegativity loads, and sockets cannot connect at all, so a run never waits on the network
 * and never takes text from it.
 */
import { writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import net from 'node:net';

/** What the gate needs from a run that the SARIF report does not carry. */
export interface ScanResult {
  /** Issues electronegativity reported; the SARIF report must hold exactly this many results. */
  readonly issueCount: number;
  readonly atomicChecks: number;
  readonly globalChecks: number;
  /** Files electronegativity could not parse, so did not check. */
  readonly unparsed: readonly { readonly file: string; readonly message: string }[];
  /** Every attempt to reach the network (all of them were refused). */
  readonly networkAttempts: readonly string[];
}

interface RunOptions {
  input: string;
  output: string;
  isSarif: true;
  customScan: string[];
  excludeFromScan: string[];
  isRelative: true;
  isVerbose: false;
  electronVersionOverride: string;
  parserPlugins: string[];
}

interface RunOutcome {
  globalChecks: number;
  atomicChecks: number;
  errors: { file: string; message: string; tolerable: boolean }[];
  issues: unknown[];
}

const networkAttempts: string[] = [];

/** Replaces the `got` electronegativity would load with one that records the URL and fails at once. */
function cutOffGot(electronegativityRequire: NodeJS.Require): void {
  const gotPath = electronegativityRequire.resolve('got');
  const offlineGot = (url: unknown): Promise<never> => {
    networkAttempts.push(String(url));
    return Promise.reject(new Error('the network is cut off for this scan'));
  };
  offlineGot.head = offlineGot;
  const stub = new Module(gotPath);
  stub.filename = gotPath;
  stub.loaded = true;
  stub.exports = offlineGot;
  require.cache[gotPath] = stub;
}

/** Any other route to the network ends at connect(). */
function cutOffSockets(): void {
  net.Socket.prototype.connect = function refuseConnect(...args: unknown[]): never {
    networkAttempts.push(`socket ${JSON.stringify(args[0])}`);
    throw new Error('the network is cut off for this scan');
  };
}

async function scan(argv: readonly string[]): Promise<void> {
  const [input, sarifFile, resultFile, electronVersion, skipped] = argv;
  if (
    input === undefined ||
    sarifFile === undefined ||
    resultFile === undefined ||
    electronVersion === undefined
  ) {
    throw new Error(
      'usage: electronegativity-scan <input dir> <sarif> <result> <electron version> [skipped checks]',
    );
  }
  // Messages in electronegativity's bundled English, whatever the machine's locale.
  process.env.LANG = 'en-US';
  const electronegativityRequire = createRequire(require.resolve('@doyensec/electronegativity/package.json'));
  cutOffGot(electronegativityRequire);
  cutOffSockets();
  const run = electronegativityRequire('./dist/runner.js') as (
    options: RunOptions,
    forCli: boolean,
  ) => Promise<RunOutcome>;

  const outcome = await run(
    {
      input,
      output: sarifFile,
      isSarif: true,
      customScan: [],
      excludeFromScan: (skipped ?? '').split(',').filter((name) => name !== ''),
      isRelative: true,
      isVerbose: false,
      electronVersionOverride: electronVersion,
      parserPlugins: [],
    },
    false,
  );
  const result: ScanResult = {
    issueCount: outcome.issues.length,
    atomicChecks: outcome.atomicChecks,
    globalChecks: outcome.globalChecks,
    unparsed: outcome.errors.filter((e) => !e.tolerable).map(({ file, message }) => ({ file, message })),
    networkAttempts,
  };
  writeFileSync(resultFile, `${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  scan(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(
      `electronegativity-scan: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  });
}
