import { LatchkeyError } from '../errors';
import { wipe } from './secret';

/**
 * The KDF input is the password's UTF-8 bytes in Unicode normalisation form C, so the same
 * passphrase typed on macOS (which may produce decomposed accents) and on Linux opens the vault.
 * ASCII passwords are used as they are, without ever becoming a JavaScript string; others must be
 * decoded to be normalised (the transient string cannot be wiped — see docs/SECURITY-NOTES.md).
 * Bytes that are not valid UTF-8 are used as they are.
 */
export function normalizePassword(password: Uint8Array): Buffer {
  const bytes = Buffer.from(password.buffer, password.byteOffset, password.length);
  if (bytes.every((b) => b < 0x80)) return Buffer.from(bytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes);
  }
  return Buffer.from(text.normalize('NFC'), 'utf8');
}

/**
 * The rule for a new master password, the same in the CLI and the app: 8 to 1024 bytes, not only
 * blanks. Wipes the bytes before throwing PASSWORD_INVALID.
 */
export function checkNewPassword(password: Buffer): void {
  if (password.length < 8 || password.length > 1024 || password.every((b) => b === 0x20 || b === 0x09)) {
    wipe(password);
    throw new LatchkeyError(
      'PASSWORD_INVALID',
      'a master password must be 8 to 1024 bytes and not only spaces; a long passphrase of several words is best',
    );
  }
}
