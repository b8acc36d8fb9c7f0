import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ENTRY_URL, isAllowedRequestUrl, isAppUrl } from '../../main/app/app-url';
import { contentTypeFor, rendererFileForUrl, resolveRendererPath } from '../../main/app/renderer-files';

const root = path.resolve('/srv/latchkey/dist/renderer');

void describe('resolveRendererPath', () => {
  void test('resolves a file at the root', () => {
    assert.equal(resolveRendererPath(root, '/index.html'), path.join(root, 'index.html'));
    assert.equal(resolveRendererPath(root, '/app.css'), path.join(root, 'app.css'));
  });

  void test('resolves a file in a subdirectory', () => {
    assert.equal(
      resolveRendererPath(root, '/assets/index-4f2a_c9.js'),
      path.join(root, 'assets', 'index-4f2a_c9.js'),
    );
  });

  void test('serves index.html for the bare origin', () => {
    assert.equal(resolveRendererPath(root, '/'), path.join(root, 'index.html'));
    assert.equal(resolveRendererPath(root, ''), path.join(root, 'index.html'));
  });

  void test('every resolved path stays under the root', () => {
    for (const p of ['/a', '/a/b.js', '/x.y.z', '/-/_']) {
      const resolved = resolveRendererPath(root, p);
      assert.ok(resolved !== undefined && resolved.startsWith(root + path.sep), p);
    }
  });

  void test('rejects ../ traversal', () => {
    for (const p of [
      '/../secret',
      '/../../etc/passwd',
      '/assets/../../x',
      '/..',
      '/./index.html',
      '/assets/..',
    ]) {
      assert.equal(resolveRendererPath(root, p), undefined, p);
    }
  });

  void test('rejects percent-encoded traversal and separators', () => {
    for (const p of [
      '/%2e%2e/secret',
      '/%2E%2E/%2E%2E/etc/passwd',
      '/..%2fsecret',
      '/%2e%2e%2fsecret',
      '/a%2f..%2f..%2fb',
      '/%252e%252e/x',
      '/index%2ehtml',
    ]) {
      assert.equal(resolveRendererPath(root, p), undefined, p);
    }
  });

  void test('rejects absolute paths', () => {
    for (const p of [
      '//etc/passwd',
      '/%2Fetc/passwd',
      '/C:/Windows/win.ini',
      '/c:',
      'index.html',
      'etc/passwd',
      '/\\\\server\\share',
    ]) {
      assert.equal(resolveRendererPath(root, p), undefined, p);
    }
  });

  void test('rejects backslashes, raw and encoded', () => {
    for (const p of ['/..\\secret', '/assets\\..\\..\\x', '/%5c..%5csecret', '/a\\b.js']) {
      assert.equal(resolveRendererPath(root, p), undefined, p);
    }
  });

  void test('rejects NUL, raw and encoded', () => {
    for (const p of ['/index.html\0', '/index.html\0.png', '/index.html%00', '/%00']) {
      assert.equal(resolveRendererPath(root, p), undefined, JSON.stringify(p));
    }
  });

  void test('rejects dotfiles, empty segments and a trailing slash', () => {
    for (const p of [
      '/.env',
      '/assets/.git/config',
      '/assets//x.js',
      '/assets/',
      '/index.html::$DATA',
      '/a b.js',
    ]) {
      assert.equal(resolveRendererPath(root, p), undefined, p);
    }
  });

  void test('rejects absurdly long or deep paths', () => {
    assert.equal(resolveRendererPath(root, `/${'a'.repeat(300)}.js`), undefined);
    assert.equal(resolveRendererPath(root, `/${Array(20).fill('a').join('/')}.js`), undefined);
  });
});

void describe('rendererFileForUrl', () => {
  void test('maps the entry URL to index.html', () => {
    assert.equal(rendererFileForUrl(root, ENTRY_URL), path.join(root, 'index.html'));
  });

  void test('ignores query and fragment', () => {
    assert.equal(rendererFileForUrl(root, 'app://latchkey/app.css?v=2#x'), path.join(root, 'app.css'));
  });

  void test('rejects traversal in a whole URL', () => {
    for (const url of [
      'app://latchkey/..%2f..%2fetc%2fpasswd',
      'app://latchkey/%2e%2e%5csecret',
      'app://latchkey/a%00',
    ]) {
      assert.equal(rendererFileForUrl(root, url), undefined, url);
    }
  });

  void test('rejects another host, scheme, port or credentials', () => {
    for (const url of [
      'app://evil/index.html',
      'https://latchkey/index.html',
      'file:///srv/latchkey/dist/renderer/index.html',
      'app://latchkey:8080/index.html',
      'app://user:pass@latchkey/index.html',
      'not a url',
    ]) {
      assert.equal(rendererFileForUrl(root, url), undefined, url);
    }
  });
});

void describe('contentTypeFor', () => {
  void test('knows the kinds of file the renderer ships', () => {
    assert.equal(contentTypeFor('/r/index.html'), 'text/html; charset=utf-8');
    assert.equal(contentTypeFor('/r/locked.js'), 'text/javascript; charset=utf-8');
    assert.equal(contentTypeFor('/r/app.css'), 'text/css; charset=utf-8');
  });

  void test('serves nothing of an unknown kind', () => {
    for (const file of ['/r/notes.txt', '/r/vault.lkv', '/r/Makefile', '/r/x.exe']) {
      assert.equal(contentTypeFor(file), undefined, file);
    }
  });
});

void describe('app origin', () => {
  void test('isAppUrl accepts our origin only', () => {
    assert.ok(isAppUrl('app://latchkey/index.html'));
    assert.ok(!isAppUrl('app://latchkey.evil/index.html'));
    assert.ok(!isAppUrl('https://latchkey/index.html'));
    assert.ok(!isAppUrl('app://latchkey:1/index.html'));
  });

  void test('the UI session may load our origin and data: images, nothing remote', () => {
    assert.ok(isAllowedRequestUrl('app://latchkey/app.css'));
    assert.ok(isAllowedRequestUrl('data:image/png;base64,AAAA'));
    for (const url of [
      'https://example.com/x.js',
      'http://127.0.0.1:8200/v1/sys',
      'wss://example.com',
      'file:///etc/passwd',
      'app://other/x',
      'ftp://x/y',
    ]) {
      assert.ok(!isAllowedRequestUrl(url), url);
    }
  });
});
