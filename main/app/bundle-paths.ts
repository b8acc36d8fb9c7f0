/**
 * Where the built preload script and renderer files are. This file compiles to
 * dist/main/app/bundle-paths.js, so the paths hold in the build and inside the packaged app.asar.
 * Pure: no electron import.
 */
import path from 'node:path';

const DIST = path.resolve(__dirname, '..', '..');

/** dist/renderer: the only directory the `app://` scheme serves from. */
export const RENDERER_ROOT = path.join(DIST, 'renderer');
/** dist/preload/preload.js, compiled from preload/preload.ts. */
export const PRELOAD_SCRIPT = path.join(DIST, 'preload', 'preload.js');
