/**
 * Purpose-bound keys derived from the vault's data key with HMAC-SHA-256 used as a PRF:
 * subkey = HMAC-SHA-256(key = data key, message = label). Each label is used for one purpose only.
 */
import { createHmac } from 'node:crypto';

export const SUBKEY_LABELS = {
  fileMac: 'latchkey v1 file mac',
  audit: 'latchkey v1 audit chain',
} as const;

export function deriveSubkey(dataKey: Uint8Array, label: keyof typeof SUBKEY_LABELS): Buffer {
  return createHmac('sha256', dataKey).update(SUBKEY_LABELS[label], 'utf8').digest();
}
