/**
 * Replies larger than one socket read reach the client whole, and a reply too large to send is an
 * error for that request only: the agent keeps serving.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AgentClient } from '../../main/core/agent/client';
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { FAST_KDF } from '../helpers/fast-kdf';
import { tempHome } from '../helpers/temp-home';

const PW = 'large replies passphrase';
const BIG = 60_000;
const HUGE_ITEMS = 200;

describe('agent replies larger than a socket read', () => {
  const t = tempHome('latchkey-agent-large-');
  const sock = join(t.dir, 'run', 'agent.sock');
  let agent: AgentProcess;
  const bigRefs = ['lk://app/development/big/a', 'lk://app/development/big/b'];
  const hugeRefs = Array.from({ length: HUGE_ITEMS }, (_, i) => `lk://app/development/huge${i}/value`);

  before(async () => {
    const store = new VaultStore(t.home);
    (await store.create(Buffer.from(PW), FAST_KDF)).close();
    await store.change(Buffer.from(PW), (v) => {
      bigRefs.forEach((r, i) => v.setField(parseFieldRef(r), Secret.fromString(String(i).repeat(BIG))));
      // 64 KiB of newlines: each is escaped to two bytes in JSON, so all of them exceed 16 MiB.
      for (const r of hugeRefs) v.setField(parseFieldRef(r), Secret.fromString('\n'.repeat(64 * 1024)));
      v.setField(parseFieldRef('lk://app/development/small/value'), Secret.fromString('small-value'));
    });
    agent = await startAgent(t.home, sock, [], PW);
  });
  after(async () => {
    await agent.stop();
    t.cleanup();
  });

  test('two values of 60 KB come back whole (the reply spans several reads)', async () => {
    const client = await AgentClient.connect(sock);
    try {
      const r = (await client.call('resolve', { refs: bigRefs })) as { values: Record<string, string> };
      assert.equal(r.values[bigRefs[0]!], '0'.repeat(BIG));
      assert.equal(r.values[bigRefs[1]!], '1'.repeat(BIG));
    } finally {
      client.close();
    }
  });

  test('an answer over 16 MiB is refused for that request; the agent keeps serving', async () => {
    const client = await AgentClient.connect(sock);
    try {
      await assert.rejects(
        client.call('resolve', { refs: hugeRefs }),
        (e: { code?: string; message?: string }) => {
          assert.equal(e.code, 'INVALID_VALUE');
          assert.match(e.message ?? '', /fewer refs/);
          return true;
        },
      );
      const r = (await client.call('resolve', { refs: ['lk://app/development/small/value'] })) as {
        values: Record<string, string>;
      };
      assert.equal(r.values['lk://app/development/small/value'], 'small-value');
    } finally {
      client.close();
    }
    assert.equal(agent.child.exitCode, null, 'the agent is still running');
  });
});
