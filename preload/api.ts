/**
 * The one IPC contract between the renderer and the main process: everything the UI may ask of the
 * app is a member of `LatchkeyApi`, exposed by preload.ts as `window.latchkey`. Main's handler table
 * (`{ [K in keyof LatchkeyApi]: Handler<K> }`), the preload's object and the end-to-end harness are
 * all typed against this interface, so a call is added here first and the compiler finds the rest.
 * The renderer imports types from this file only.
 */
export interface LatchkeyApi {
  /** The app's version, from package.json (e.g. "0.1.0"); "unknown" if main did not pass it. */
  version: string;
}

/**
 * The renderer-process argument through which main hands the preload the app version
 * (`webPreferences.additionalArguments`); the sandboxed preload has no file access of its own.
 */
export const VERSION_ARGUMENT = '--latchkey-version=';
