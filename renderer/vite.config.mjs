// Builds the renderer (renderer/index.html + src/) into dist/renderer, the only directory the
// app:// scheme serves. Relative base, so the page works under app://latchkey/; no inline script
// or style anywhere (the CSP allows 'self' only); file names stay within renderer-files.ts's rules.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Every file is same-origin, so `crossorigin` buys nothing; dropping it keeps the stylesheet a plain
 * no-cors request on app://, which is not registered as a CORS-enabled scheme.
 */
function withoutCrossorigin() {
  return {
    name: 'latchkey-without-crossorigin',
    enforce: 'post',
    transformIndexHtml: (html) => html.replace(/\s+crossorigin(?:="[^"]*")?(?=[\s>])/g, ''),
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [react(), withoutCrossorigin()],
  build: {
    outDir: resolve(here, '../dist/renderer'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never data: URLs for assets (fonts would break the CSP); Chromium needs no preload polyfill.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'chrome130',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
