import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startAgent, type AgentProcess } from '../helpers/agent-process';
import { addStore, MASTER, syncBed, type SyncBed } from '../helpers/sync-env';

describe('sync through the agent', () => {
  let bed: SyncBed;
  let agent: AgentProcess;
  let sock: string;
  before(async () => {
    bed = await syncBed();
    bed.server.kvPut('secret', 'teams/payments/development/stripe', { secret_key: 'sk_test_agent_1' });
    bed.server.kvPut('secret', 'teams/payments/production/stripe', { secret_key: 'sk_live_never' });
    assert.equal((await addStore(bed)).status, 0);
    sock = join(bed.dir, 'run', 'agent.sock');
    agent = await startAgent(bed.home, sock, [], MASTER);
  });
  after(async () => {
    await agent.stop();
    await bed.close();
  });

  test('latchkey sync runs in the agent, saves once, and the new values are served at once', async () => {
    const before = bed.vaultBytes();
    const r = await bed.cli(['sync'], '', { LATCHKEY_SOCK: sock });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.toString(), /^synced 1 item: 1 updated, 0 removed, 1 refused \(production\)/);
    assert.ok(!bed.vaultBytes().equals(before), 'the vault was saved');
    const g = await bed.cli(['get', 'lk://payments/development/stripe/secret_key'], '', {
      LATCHKEY_SOCK: sock,
    });
    assert.equal(g.stdout.toString(), 'sk_test_agent_1');
    const refused = await bed.cli(['ls', '--refused', '--json'], '', { LATCHKEY_SOCK: sock });
    assert.match(refused.stdout.toString(), /environment-name-production/);
    // The saved vault opens in direct mode with the same content.
    const direct = await bed.cli(
      ['get', 'lk://payments/development/stripe/secret_key', '--password-stdin'],
      `${MASTER}\n`,
    );
    assert.equal(direct.stdout.toString(), 'sk_test_agent_1');
  });

  test('a failed sync through the agent changes nothing', async () => {
    bed.server.kvPut('secret', 'teams/payments/development/stripe', { secret_key: 'sk_test_agent_2' });
    bed.server.faults.sealed(true);
    const before = bed.vaultBytes();
    const r = await bed.cli(['sync', '--deadline', '2'], '', { LATCHKEY_SOCK: sock });
    bed.server.faults.reset();
    assert.equal(r.status, 1);
    assert.match(r.stderr, /STORE_UNAVAILABLE/);
    assert.ok(bed.vaultBytes().equals(before));
    const g = await bed.cli(['get', 'lk://payments/development/stripe/secret_key'], '', {
      LATCHKEY_SOCK: sock,
    });
    assert.equal(g.stdout.toString(), 'sk_test_agent_1');
  });
});
