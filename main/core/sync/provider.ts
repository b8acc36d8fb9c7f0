/**
 * What the sync engine needs from a central store, whatever its kind. Paths are store paths
 * relative to the provider's mount (e.g. `teams/payments/development/stripe`).
 */

/** What the store says about the current version of one secret. */
export interface EntryMetadata {
  readonly currentVersion: number;
  /** When the current version was created, ISO 8601. */
  readonly changedAt: string;
  /** The current version was soft-deleted or destroyed (the secret is gone for us). */
  readonly gone: boolean;
  readonly customMetadata: Readonly<Record<string, unknown>>;
}

/** One version's key/value pairs, as parsed JSON values (strings, usually). */
export interface EntryVersion {
  readonly version: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface TokenInfo {
  readonly displayName: string;
  readonly policies: readonly string[];
  /** Seconds left; 0 for a token that never expires. */
  readonly ttlSeconds: number;
  readonly renewable: boolean;
  readonly expireTime?: string;
}

export interface StoreProvider {
  /** The token's identity and lifetime (Vault: lookup-self). */
  whoami(): Promise<TokenInfo>;
  /** Children of a folder: names, folders ending with `/`. Empty when the folder does not exist. */
  list(folder: string): Promise<string[]>;
  /** Undefined when the path does not exist. */
  readMetadata(path: string): Promise<EntryMetadata | undefined>;
  /** Undefined when that version is deleted or destroyed. */
  readVersion(path: string, version: number): Promise<EntryVersion | undefined>;
  close(): void;
}
