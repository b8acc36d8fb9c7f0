/**
 * A child process for the durability test: opens the vault once, then saves new generations as
 * fast as it can until killed. Each generation G stores the value `value-for-generation-G`, so the
 * parent can check that whatever survives a SIGKILL is one whole generation.
 * argv: <home> <password> [<step to die at> <save number to die at>]
 */
import { Secret } from '../../main/core/crypto/secret';
import { parseFieldRef } from '../../main/core/vault/ref';
import { VaultStore } from '../../main/core/vault/vault-store';
import { acquireWriterLock } from '../../main/core/vault/writer-lock';

export const LOOP_REF = 'durability/development/item/value';

async function main(): Promise<void> {
  const [home, password, dieAt, dieAfter] = process.argv.slice(2) as [string, string, string?, string?];
  const store = new VaultStore(home);
  await acquireWriterLock(store.paths.lock); // held until the process dies
  const vault = await store.open(Buffer.from(password));
  const ref = parseFieldRef(LOOP_REF);
  process.stdout.write('ready\n');
  let saves = 0;
  for (;;) {
    const next = vault.generation + 1;
    vault.setField(ref, Secret.fromString(`value-for-generation-${next}`));
    // Pad the vault so a save has real work in it.
    vault.setField(
      parseFieldRef('durability/development/item/padding'),
      Secret.fromString('x'.repeat(4096 + (next % 97))),
    );
    saves++;
    await store.save(vault, (step) => {
      if (step === dieAt && saves === Number(dieAfter)) process.kill(process.pid, 'SIGKILL');
    });
    if (saves % 5 === 0) await new Promise((r) => setImmediate(r));
  }
}

if (require.main === module) void main();
