/**
 * The one list of environment variables that change how programs find, load or run code. Latchkey
 * injects secrets into a developer's processes; a secret under one of these names could make every
 * program the developer starts run someone else's code (a `.so` on LD_PRELOAD, a module on
 * NODE_OPTIONS, a command on GIT_SSH_COMMAND). So `latchkey.yml` and `latchkey run --secret` refuse
 * them unless the repo lists the exact name in `allow_loader_vars`.
 *
 * What belongs here: a variable whose value names code to load or a command to run, injects
 * interpreter or loader options, or moves where a program reads its start-up files. What does not:
 * variables that change data or trust rather than code (TMPDIR, TZ, HOSTALIASES, TERMINFO,
 * NODE_EXTRA_CA_CERTS, SSL_CERT_FILE) and package-registry URLs (PIP_INDEX_URL often carries a
 * token and is a legitimate secret). docs/latchkey-yml.md lists the same entries.
 */

export interface LoaderVariable {
  /** An upper-case name, or a pattern where `*` stands for any run of name characters. */
  readonly pattern: string;
  /** Why it is on the list, in a few words; shown in the refusal. */
  readonly reason: string;
}

/** Names are matched without regard to case: Windows treats `Path` as PATH, zsh ties `path` to it. */
export const LOADER_VARIABLES: readonly LoaderVariable[] = [
  // Dynamic loaders and the C library.
  {
    pattern: 'LD_*',
    reason: 'the dynamic linker loads libraries it names (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT)',
  },
  { pattern: 'DYLD_*', reason: "macOS's dyld loads libraries it names (DYLD_INSERT_LIBRARIES)" },
  { pattern: '_RLD*', reason: 'the IRIX and Tru64 loader loads libraries it names' },
  { pattern: 'LDR_*', reason: 'the AIX loader reads its options from it' },
  { pattern: 'LIBPATH', reason: 'the AIX loader searches it for shared libraries' },
  { pattern: 'SHLIB_PATH', reason: 'the HP-UX loader searches it for shared libraries' },
  {
    pattern: 'GLIBC_TUNABLES',
    reason: 'it reconfigures glibc and the loader in every program (CVE-2023-4911)',
  },
  { pattern: 'GCONV_PATH', reason: 'glibc loads character-set converter modules (.so) from it' },
  { pattern: 'GETCONF_DIR', reason: 'getconf runs programs from it' },
  { pattern: 'LOCPATH', reason: 'glibc loads compiled locale files from it' },
  { pattern: 'NLSPATH', reason: 'message catalogues from it supply printf format strings' },
  { pattern: 'MALLOC_*', reason: "it switches on glibc's allocator debugging hooks and trace files" },
  // Which program runs for a name, and where programs read their start-up files.
  { pattern: 'PATH', reason: 'it decides which program runs for every command name' },
  { pattern: 'PATHEXT', reason: 'Windows runs files with the extensions it lists as programs' },
  { pattern: 'COMSPEC', reason: 'Windows programs run commands through the interpreter it names' },
  { pattern: 'SHELL', reason: 'programs run commands through the shell it names' },
  { pattern: 'EDITOR', reason: 'programs run the command it names' },
  { pattern: 'VISUAL', reason: 'programs run the command it names' },
  { pattern: 'PAGER', reason: 'programs run the command it names' },
  { pattern: 'MANPAGER', reason: 'man runs the command it names' },
  { pattern: 'BROWSER', reason: 'programs (Python webbrowser, xdg-open) run the command it names' },
  { pattern: 'HOME', reason: 'shells, git, npm and most tools run start-up files from it' },
  { pattern: 'USERPROFILE', reason: 'Windows tools run start-up files from it' },
  {
    pattern: 'XDG_CONFIG_HOME',
    reason: 'git, fish and many tools read configuration that runs commands from it',
  },
  { pattern: 'PSMODULEPATH', reason: 'PowerShell auto-loads modules from it' },
  // Shells.
  { pattern: 'BASH_ENV', reason: 'bash runs the file it names before every script' },
  { pattern: 'ENV', reason: 'sh, dash and ksh run the file it names at start-up' },
  { pattern: 'ZDOTDIR', reason: 'zsh runs its start-up files from it' },
  { pattern: 'FPATH', reason: 'zsh and ksh load functions from it' },
  { pattern: 'BASH_FUNC_*', reason: 'bash imports it as a function definition' },
  { pattern: 'BASH_LOADABLES_PATH', reason: 'bash loads builtins (.so) from it' },
  { pattern: 'SHELLOPTS', reason: 'bash turns on the options it lists (xtrace with PS4 runs commands)' },
  { pattern: 'BASHOPTS', reason: 'bash turns on the shopt options it lists' },
  { pattern: 'PS0', reason: 'bash expands it, running command substitutions' },
  { pattern: 'PS1', reason: 'bash expands it, running command substitutions' },
  { pattern: 'PS2', reason: 'bash expands it, running command substitutions' },
  { pattern: 'PS3', reason: 'bash expands it, running command substitutions' },
  { pattern: 'PS4', reason: 'bash expands it for every traced line, running command substitutions' },
  { pattern: 'PROMPT_COMMAND', reason: 'bash runs it before every prompt' },
  { pattern: 'PROMPT', reason: 'zsh expands it, running command substitutions when PROMPT_SUBST is on' },
  { pattern: 'RPROMPT', reason: 'zsh expands it, running command substitutions when PROMPT_SUBST is on' },
  { pattern: 'IFS', reason: 'it changes how shells split words, and so which commands scripts run' },
  {
    pattern: 'CDPATH',
    reason: "it changes which directory a script's cd enters, and so which files it runs",
  },
  { pattern: 'GLOBIGNORE', reason: 'it changes which files shell patterns match' },
  { pattern: 'NULLCMD', reason: 'zsh runs the command it names for a bare redirection' },
  { pattern: 'READNULLCMD', reason: 'zsh runs the command it names for a bare input redirection' },
  // Node.js and Electron.
  { pattern: 'NODE_OPTIONS', reason: 'Node.js takes options from it, and --require/--import load code' },
  { pattern: 'NODE_PATH', reason: 'Node.js searches it for modules' },
  { pattern: 'NODE_REPL_EXTERNAL_MODULE', reason: 'Node.js loads the module it names in place of the REPL' },
  {
    pattern: 'ELECTRON_RUN_AS_NODE',
    reason: 'it turns any Electron app into a Node.js that runs the script it is given',
  },
  {
    pattern: 'NPM_CONFIG_*',
    reason: 'npm and pnpm take settings from it (node-options, script-shell, userconfig)',
  },
  // Python.
  { pattern: 'PYTHONPATH', reason: 'Python searches it for modules' },
  { pattern: 'PYTHONHOME', reason: 'Python loads its standard library from it' },
  { pattern: 'PYTHONPLATLIBDIR', reason: 'Python loads its standard library from it' },
  { pattern: 'PYTHONSTARTUP', reason: 'interactive Python runs the file it names' },
  { pattern: 'PYTHONUSERBASE', reason: 'Python loads user site-packages (and .pth files) from it' },
  { pattern: 'PYTHONPYCACHEPREFIX', reason: 'Python loads compiled bytecode from it' },
  { pattern: 'PYTHONBREAKPOINT', reason: 'breakpoint() imports and calls what it names' },
  { pattern: 'PYTHONWARNINGS', reason: 'Python imports the warning categories it names' },
  { pattern: 'PYTHONINSPECT', reason: 'Python opens an interactive prompt after the script' },
  // Perl, Ruby, PHP, Lua.
  { pattern: 'PERL5LIB', reason: 'Perl searches it for modules' },
  { pattern: 'PERLLIB', reason: 'Perl searches it for modules' },
  { pattern: 'PERL5OPT', reason: 'Perl takes options from it, and -M loads modules' },
  { pattern: 'PERL5DB', reason: 'Perl runs it as the debugger' },
  { pattern: 'RUBYLIB', reason: 'Ruby searches it for libraries' },
  { pattern: 'RUBYOPT', reason: 'Ruby takes options from it, and -r loads libraries' },
  { pattern: 'GEM_PATH', reason: 'Ruby loads gems from it' },
  { pattern: 'GEM_HOME', reason: 'Ruby installs and loads gems from it' },
  { pattern: 'BUNDLE_GEMFILE', reason: 'Bundler runs the Gemfile it names (Ruby code)' },
  { pattern: 'PHPRC', reason: 'PHP reads php.ini from it, and auto_prepend_file runs code' },
  {
    pattern: 'PHP_INI_SCAN_DIR',
    reason: 'PHP reads extra ini files from it, and auto_prepend_file runs code',
  },
  { pattern: 'LUA_PATH', reason: 'Lua searches it for modules' },
  { pattern: 'LUA_PATH_*', reason: 'Lua searches it for modules' },
  { pattern: 'LUA_CPATH', reason: 'Lua searches it for C modules' },
  { pattern: 'LUA_CPATH_*', reason: 'Lua searches it for C modules' },
  { pattern: 'LUA_INIT', reason: 'Lua runs it at start-up' },
  { pattern: 'LUA_INIT_*', reason: 'Lua runs it at start-up' },
  // The JVM and .NET.
  { pattern: 'JAVA_TOOL_OPTIONS', reason: 'every JVM takes options from it, and -javaagent loads code' },
  { pattern: '_JAVA_OPTIONS', reason: 'every JVM takes options from it, and -javaagent loads code' },
  {
    pattern: 'JDK_JAVA_OPTIONS',
    reason: 'the java launcher takes options from it, and -javaagent loads code',
  },
  { pattern: 'JAVA_OPTS', reason: 'launch scripts pass it to the JVM, and -javaagent loads code' },
  { pattern: 'GRADLE_OPTS', reason: 'Gradle passes it to the JVM, and -javaagent loads code' },
  { pattern: 'MAVEN_OPTS', reason: 'Maven passes it to the JVM, and -javaagent loads code' },
  { pattern: 'CLASSPATH', reason: 'the JVM loads classes from it' },
  { pattern: 'JAVA_HOME', reason: 'build tools run the JVM it names' },
  { pattern: 'DOTNET_STARTUP_HOOKS', reason: '.NET loads the assemblies it names into every app' },
  { pattern: 'DOTNET_ADDITIONAL_DEPS', reason: '.NET loads the extra dependencies it names' },
  {
    pattern: 'CORECLR_ENABLE_PROFILING',
    reason: '.NET then loads the profiler DLL named by CORECLR_PROFILER_PATH',
  },
  { pattern: 'CORECLR_PROFILER*', reason: '.NET loads the profiler DLL it names' },
  {
    pattern: 'COR_ENABLE_PROFILING',
    reason: '.NET Framework then loads the profiler DLL named by COR_PROFILER_PATH',
  },
  { pattern: 'COR_PROFILER*', reason: '.NET Framework loads the profiler DLL it names' },
  // Git and SSH.
  { pattern: 'GIT_SSH', reason: 'git runs the program it names' },
  { pattern: 'GIT_SSH_COMMAND', reason: 'git runs the command it names' },
  { pattern: 'GIT_ASKPASS', reason: 'git runs the program it names' },
  { pattern: 'GIT_EXEC_PATH', reason: 'git runs its sub-commands from it' },
  { pattern: 'GIT_EDITOR', reason: 'git runs the command it names' },
  { pattern: 'GIT_SEQUENCE_EDITOR', reason: 'git rebase runs the command it names' },
  { pattern: 'GIT_PAGER', reason: 'git runs the command it names' },
  { pattern: 'GIT_EXTERNAL_DIFF', reason: 'git diff runs the program it names' },
  { pattern: 'GIT_PROXY_COMMAND', reason: 'git runs the command it names' },
  {
    pattern: 'GIT_CONFIG',
    reason: 'git reads configuration from it (core.sshCommand, core.fsmonitor run commands)',
  },
  {
    pattern: 'GIT_CONFIG_*',
    reason: 'git reads configuration from it (core.sshCommand, core.fsmonitor run commands)',
  },
  { pattern: 'GIT_DIR', reason: 'git uses the repository it names, whose hooks and config run commands' },
  { pattern: 'GIT_TEMPLATE_DIR', reason: 'git copies hooks from it into new repositories' },
  { pattern: 'SSH_ASKPASS', reason: 'ssh runs the program it names' },
  { pattern: 'SSH_ASKPASS_REQUIRE', reason: 'it makes ssh run the SSH_ASKPASS program' },
  // Build tools.
  { pattern: 'MAKEFLAGS', reason: 'make takes options and variable overrides (SHELL=…) from it' },
  { pattern: 'CC', reason: 'builds run the compiler it names' },
  { pattern: 'CXX', reason: 'builds run the compiler it names' },
  { pattern: 'GOFLAGS', reason: 'go takes flags from it, and -toolexec runs a program' },
  { pattern: 'GOENV', reason: 'go reads its settings (GOFLAGS) from the file it names' },
  { pattern: 'GOTOOLCHAIN', reason: 'go downloads and runs the toolchain it names' },
  { pattern: 'RUSTC', reason: 'cargo runs the compiler it names' },
  { pattern: 'RUSTC_WRAPPER', reason: 'cargo runs the program it names around every compile' },
  { pattern: 'RUSTC_WORKSPACE_WRAPPER', reason: 'cargo runs the program it names around every compile' },
  { pattern: 'RUSTFLAGS', reason: 'cargo passes it to rustc, and -C linker runs a program' },
  { pattern: 'CARGO_ENCODED_RUSTFLAGS', reason: 'cargo passes it to rustc, and -C linker runs a program' },
  {
    pattern: 'CARGO_BUILD_*',
    reason: 'cargo takes build settings from it (rustc, rustc-wrapper, rustflags)',
  },
  { pattern: 'CARGO_TARGET_*_LINKER', reason: 'cargo runs the linker it names' },
  { pattern: 'CARGO_TARGET_*_RUNNER', reason: 'cargo runs tests and binaries through the program it names' },
];

const COMPILED: readonly (readonly [RegExp, LoaderVariable])[] = LOADER_VARIABLES.map((entry) => [
  new RegExp(`^${entry.pattern.split('*').join('[A-Z0-9_]*')}$`),
  entry,
]);

/** The list entry `name` matches (case-insensitively), or undefined when it is not a loader variable. */
export function loaderVariable(name: string): LoaderVariable | undefined {
  const upper = name.toUpperCase();
  for (const [pattern, entry] of COMPILED) if (pattern.test(upper)) return entry;
  return undefined;
}
