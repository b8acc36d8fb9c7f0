import sodiumModule from 'libsodium-wrappers-sumo';

/** libsodium (the sumo build, for crypto_pwhash and SHA-256/HMAC): the independent implementation. */
export async function sodium(): Promise<typeof sodiumModule> {
  await sodiumModule.ready;
  return sodiumModule;
}
