import { KDF_FLOOR, type KdfParams } from '../../main/core/crypto/kdf';

/** The cheapest parameters a vault may have (the floor): what tests use to keep the suite fast. */
export const FAST_KDF: KdfParams = { ...KDF_FLOOR };
