// The Electron binary is absent here, so these check what the window will load without running it:
// the built preload and page exist where main looks for them, and the page obeys the CSP.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ENTRY_URL } from '../../main/app/app-url';
import { PRELOAD_SCRIPT, RENDERER_ROOT } from '../../main/app/bundle-paths';
import { CONTENT_SECURITY_POLICY } from '../../main/app/content-security-policy';
import { contentTypeFor, rendererFileForUrl } from '../../main/app/renderer-files';
import { CALL_NAMES } from '../../preload/api';

const root = path.resolve(__dirname, '../../..');

void describe('the built app bundle', () => {
  void test('the preload main loads is the compiled preload/preload.ts', () => {
    assert.equal(PRELOAD_SCRIPT, path.join(root, 'dist', 'preload', 'preload.js'));
    assert.ok(existsSync(PRELOAD_SCRIPT));
  });

  void test('the sandboxed preload requires nothing but electron and exposes only window.latchkey', () => {
    const source = readFileSync(PRELOAD_SCRIPT, 'utf8');
    const required = [...source.matchAll(/require\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
    assert.deepEqual(required, ['electron']);
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    // ipcRenderer is used inside, never handed to the page: only named calls and on().
    assert.doesNotMatch(code, /exposeInMainWorld\([^)]*ipcRenderer/);
    assert.doesNotMatch(code, /invoke\(\s*channel/);
    for (const name of CALL_NAMES) assert.ok(code.includes(`'${name}'`), `the preload names ${name}`);
    assert.deepEqual(
      [...code.matchAll(/exposeInMainWorld\('([^']+)'/g)].map((m) => m[1]),
      ['latchkey'],
    );
  });

  void test('the entry URL is served from dist/renderer/index.html', () => {
    assert.equal(RENDERER_ROOT, path.join(root, 'dist', 'renderer'));
    const file = rendererFileForUrl(RENDERER_ROOT, ENTRY_URL);
    assert.equal(file, path.join(RENDERER_ROOT, 'index.html'));
    assert.ok(existsSync(file));
  });

  void test('the CSP is exactly the documented policy', () => {
    assert.equal(
      CONTENT_SECURITY_POLICY,
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'none'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });
});

void describe('the built page', () => {
  const html = readFileSync(path.join(RENDERER_ROOT, 'index.html'), 'utf8');

  void test('has no inline script, style or event handler (the CSP would block them)', () => {
    for (const tag of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
      assert.match(tag[1] ?? '', /\bsrc="/, 'every script is a file');
      assert.equal((tag[2] ?? '').trim(), '', 'no inline script body');
    }
    assert.doesNotMatch(html, /<style\b/i);
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
    assert.doesNotMatch(html, /javascript:/i);
  });

  void test('every file it references is served from our origin', () => {
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '');
    assert.ok(refs.length >= 2);
    for (const ref of refs) {
      const url = new URL(ref, ENTRY_URL).href;
      const file = rendererFileForUrl(RENDERER_ROOT, url);
      assert.ok(file !== undefined && existsSync(file), `${ref} resolves to a built file`);
      assert.ok(contentTypeFor(file) !== undefined, `${ref} has a served content type`);
    }
  });

  void test('follows the light/dark preference', () => {
    const sheet = /href="\.?\/?(assets\/[^"]+\.css)"/.exec(html)?.[1];
    assert.ok(sheet, 'the page links one stylesheet');
    const css = readFileSync(path.join(RENDERER_ROOT, sheet), 'utf8');
    assert.match(css, /prefers-color-scheme:\s*dark/);
    assert.match(html, /<meta name="color-scheme" content="light dark"/);
  });
});
