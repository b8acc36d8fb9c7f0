import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Acl, parsePolicy, PolicyParseError, type Operation } from '../fixtures/vault-server/policies';

function acl(...texts: string[]): Acl {
  return new Acl(texts.map((t) => parsePolicy(t)));
}

function allowed(a: Acl, path: string, op: Operation): boolean {
  return a.check(path, op).allowed;
}

describe('policy HCL parsing', () => {
  test('parses several stanzas and ignores #, // and /* */ comments', () => {
    const p = parsePolicy(`
      # hash comment
      path "secret/data/a/*" { capabilities = ["read", "list"] } // trailing comment
      /* a block
         comment */
      path "/secret/metadata/a/*" {
        capabilities = [
          "list",
        ]
      }
    `);
    assert.deepEqual(p.rules, [
      { path: 'secret/data/a/*', capabilities: ['read', 'list'], templated: false },
      { path: 'secret/metadata/a/*', capabilities: ['list'], templated: false },
    ]);
  });

  test('malformed HCL is refused with the position of the first bad token', () => {
    assert.throws(
      () => parsePolicy('path "secret/*" { capabilities = ["read" }'),
      (err: unknown) => {
        assert.ok(err instanceof PolicyParseError);
        assert.match(err.message, /^failed to parse policy: At 1:42: expected: COMMA \| RBRACK got: RBRACE$/);
        return true;
      },
    );
    assert.throws(() => parsePolicy('path "secret/* { capabilities = [] }'), /literal not terminated/);
    assert.throws(
      () => parsePolicy('path "x" { capabilities = ["read"] } /* open'),
      /comment not terminated/,
    );
  });

  test('unknown capabilities, unknown keys and the forbidden +* are refused', () => {
    assert.throws(
      () => parsePolicy('path "a" { capabilities = ["write"] }'),
      /path "a": invalid capability "write"/,
    );
    assert.throws(
      () => parsePolicy('paths "a" { capabilities = ["read"] }'),
      /invalid key "paths" on line 1/,
    );
    assert.throws(
      () => parsePolicy('path "a" { capability = ["read"] }'),
      /path "a": invalid key "capability"/,
    );
    assert.throws(() => parsePolicy('path "a/+*" { capabilities = ["read"] }'), /'\+\*' is forbidden/);
  });

  test('parameter constraints are refused rather than silently not enforced', () => {
    assert.throws(
      () => parsePolicy('path "a" { capabilities = ["update"]\n allowed_parameters = { "x" = [] } }'),
      /allowed_parameters is not supported by this test server/,
    );
  });

  test('old-style policy = "read" means read and list, and deny collapses every other capability', () => {
    assert.deepEqual(parsePolicy('path "a" { policy = "read" }').rules[0]?.capabilities, ['read', 'list']);
    assert.deepEqual(
      parsePolicy('path "a" { capabilities = ["read", "deny", "sudo"] }').rules[0]?.capabilities,
      ['deny'],
    );
  });

  test('the JSON form of a policy parses like the HCL form', () => {
    const p = parsePolicy('{"path": {"secret/data/x": {"capabilities": ["read"]}}}');
    assert.deepEqual(p.rules, [{ path: 'secret/data/x', capabilities: ['read'], templated: false }]);
  });
});

describe('ACL evaluation', () => {
  test('a glob * at the end is a prefix match and grants only the listed capabilities', () => {
    const a = acl('path "secret/data/teams/payments/development/*" { capabilities = ["read"] }');
    assert.equal(allowed(a, 'secret/data/teams/payments/development/stripe', 'read'), true);
    assert.equal(allowed(a, 'secret/data/teams/payments/development/deep/er', 'read'), true);
    assert.equal(allowed(a, 'secret/data/teams/payments/development/stripe', 'update'), false);
    assert.equal(allowed(a, 'secret/data/teams/payments/staging/stripe', 'read'), false);
    assert.equal(allowed(a, 'secret/data/teams/payments/development', 'read'), false);
  });

  test('nothing is allowed without a matching rule (deny by default)', () => {
    assert.equal(allowed(acl('path "a/*" { capabilities = ["read"] }'), 'b/c', 'read'), false);
    assert.equal(allowed(new Acl([]), 'auth/token/lookup-self', 'read'), false);
  });

  test('+ matches exactly one path segment', () => {
    const a = acl('path "secret/data/teams/+/development/*" { capabilities = ["read"] }');
    assert.equal(allowed(a, 'secret/data/teams/payments/development/stripe', 'read'), true);
    assert.equal(allowed(a, 'secret/data/teams/web/development/session', 'read'), true);
    assert.equal(allowed(a, 'secret/data/teams/payments/staging/stripe', 'read'), false);
    assert.equal(allowed(a, 'secret/data/teams/a/b/development/x', 'read'), false);
    const exact = acl('path "secret/data/+/item" { capabilities = ["read"] }');
    assert.equal(allowed(exact, 'secret/data/x/item', 'read'), true);
    assert.equal(allowed(exact, 'secret/data/x/item/more', 'read'), false);
  });

  test('an exact path beats any glob that also matches', () => {
    const a = acl(
      'path "secret/data/*" { capabilities = ["read"] }',
      'path "secret/data/locked" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'secret/data/locked', 'read'), false);
    assert.equal(allowed(a, 'secret/data/open', 'read'), true);
  });

  test('the longest glob wins: a narrower rule with fewer capabilities beats a broader grant', () => {
    const a = acl(
      'path "secret/data/*" { capabilities = ["read"] }',
      'path "secret/data/teams/payments/*" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'secret/data/teams/payments/development/x', 'read'), false);
    assert.equal(allowed(a, 'secret/data/teams/web/development/x', 'read'), true);
  });

  test('a more specific allow beats a broader deny, as in Vault (only the winning rule counts)', () => {
    const a = acl(
      'path "secret/data/teams/*" { capabilities = ["deny"] }',
      'path "secret/data/teams/web/*" { capabilities = ["read"] }',
    );
    assert.equal(allowed(a, 'secret/data/teams/web/development/x', 'read'), true);
    assert.equal(allowed(a, 'secret/data/teams/payments/development/x', 'read'), false);
  });

  test('deny on the same path overrides capabilities granted there by another policy', () => {
    const a = acl(
      'path "secret/data/p/*" { capabilities = ["read", "update", "sudo"] }',
      'path "secret/data/p/*" { capabilities = ["deny"] }',
    );
    assert.equal(allowed(a, 'secret/data/p/x', 'read'), false);
    assert.equal(a.check('secret/data/p/x', 'read').sudo, false);
  });

  test('capabilities on the same path from several policies are merged', () => {
    const a = acl(
      'path "secret/data/p/*" { capabilities = ["read"] }',
      'path "secret/data/p/*" { capabilities = ["update"] }',
    );
    assert.equal(allowed(a, 'secret/data/p/x', 'read'), true);
    assert.equal(allowed(a, 'secret/data/p/x', 'update'), true);
    assert.equal(allowed(a, 'secret/data/p/x', 'delete'), false);
  });

  test('priority: a later first wildcard wins (foo/a* over foo/+)', () => {
    const a = acl('path "foo/+" { capabilities = ["read"] }', 'path "foo/a*" { capabilities = ["list"] }');
    assert.equal(allowed(a, 'foo/abc', 'read'), false);
    assert.equal(allowed(a, 'foo/xyz', 'read'), true);
    const b = acl(
      'path "secret/data/teams/+/development/*" { capabilities = ["read"] }',
      'path "secret/data/teams/payments/*" { capabilities = ["list"] }',
    );
    assert.equal(allowed(b, 'secret/data/teams/payments/development/x', 'read'), false);
  });

  test('priority: with the first wildcard at the same place, a non-glob beats a glob (foo/+/bar over foo/+/ba*)', () => {
    const a = acl(
      'path "foo/+/bar" { capabilities = ["read"] }',
      'path "foo/+/ba*" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'foo/x/bar', 'read'), true);
    assert.equal(allowed(a, 'foo/x/baz', 'read'), false);
  });

  test('priority: fewer + segments win (foo/+/bar/baz over foo/+/+/baz)', () => {
    const a = acl(
      'path "foo/+/+/baz" { capabilities = ["read"] }',
      'path "foo/+/bar/baz" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'foo/x/bar/baz', 'read'), false);
    assert.equal(allowed(a, 'foo/x/other/baz', 'read'), true);
  });

  test('priority: the longer pattern wins (foo/+/bar/ba* over foo/+/bar/b*)', () => {
    const a = acl(
      'path "foo/+/bar/b*" { capabilities = ["read"] }',
      'path "foo/+/bar/ba*" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'foo/x/bar/baz', 'read'), false);
    assert.equal(allowed(a, 'foo/x/bar/bee', 'read'), true);
  });

  test('LIST paths match rules written with or without the trailing slash', () => {
    const a = acl(
      'path "secret/metadata/teams/payments/" { capabilities = ["list"] }',
      'path "sys/policies/acl" { capabilities = ["list"] }',
    );
    assert.equal(allowed(a, 'secret/metadata/teams/payments/', 'list'), true);
    assert.equal(allowed(a, 'sys/policies/acl/', 'list'), true);
    assert.equal(allowed(a, 'secret/metadata/teams/', 'list'), false);
    const glob = acl('path "secret/metadata/teams/payments/development/*" { capabilities = ["list"] }');
    assert.equal(allowed(glob, 'secret/metadata/teams/payments/development/', 'list'), true);
  });

  test('sudo is reported separately for root-protected paths', () => {
    const a = acl(
      'path "auth/token/create" { capabilities = ["update", "sudo"] }',
      'path "auth/token/create-orphan" { capabilities = ["update"] }',
    );
    assert.deepEqual(a.check('auth/token/create', 'update'), {
      allowed: true,
      sudo: true,
      bits: a.check('auth/token/create', 'update').bits,
    });
    assert.equal(a.check('auth/token/create-orphan', 'update').sudo, false);
  });

  test('the root ACL allows everything', () => {
    const root = Acl.rootAcl();
    assert.equal(allowed(root, 'anything/at/all', 'delete'), true);
    assert.deepEqual(root.capabilities('x'), ['root']);
  });

  test('identity templates resolve per token and are skipped when the token has no entity', () => {
    const p = parsePolicy('path "secret/data/users/{{identity.entity.name}}/*" { capabilities = ["read"] }');
    assert.equal(p.rules[0]?.templated, true);
    const withEntity = new Acl([p], false, { entityId: 'e1', entityName: 'alice' });
    assert.equal(allowed(withEntity, 'secret/data/users/alice/key', 'read'), true);
    assert.equal(allowed(withEntity, 'secret/data/users/bob/key', 'read'), false);
    const without = new Acl([p]);
    assert.equal(allowed(without, 'secret/data/users//key', 'read'), false);
  });

  test('capabilities() lists what the winning rule grants, or deny', () => {
    const a = acl('path "secret/data/x" { capabilities = ["update", "read", "create"] }');
    assert.deepEqual(a.capabilities('secret/data/x'), ['read', 'update', 'create']);
    assert.deepEqual(a.capabilities('secret/data/y'), ['deny']);
  });

  test('mount access: any non-deny rule under the mount grants it, a rule elsewhere does not', () => {
    const a = acl('path "secret/data/teams/payments/development/*" { capabilities = ["read"] }');
    assert.equal(a.hasMountAccess('secret/'), true);
    assert.equal(a.hasMountAccess('kv/'), false);
    assert.equal(acl('path "+/data/*" { capabilities = ["read"] }').hasMountAccess('kv/'), true);
    assert.equal(acl('path "secret/*" { capabilities = ["deny"] }').hasMountAccess('secret/'), false);
  });
});
