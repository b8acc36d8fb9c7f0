/**
 * The argument schema of every call in preload/api.ts: the renderer is untrusted, so each call's
 * arguments are checked (types, lengths, no extra keys) before the desk sees them.
 */
import { z } from 'zod';
import type { CallName } from '../../../preload/api';
import { MAX_AUTO_LOCK_MINUTES } from '../desk/app-settings';

const password = z.string().min(1).max(1024);
const ref = z.string().min(1).max(300);
const field = z.string().min(1).max(64);
const shortText = (max: number) => z.string().min(1).max(max);

const storeInput = z
  .object({
    name: shortText(32),
    addr: shortText(2048),
    mount: shortText(256).optional(),
    layout: shortText(256).optional(),
    namespace: shortText(256).optional(),
    token: shortText(4096).optional(),
  })
  .strict();

const auditQuery = z
  .object({
    since: z.iso.datetime({ offset: true }).optional(),
    ref: shortText(300).optional(),
    op: z
      .string()
      .regex(/^[a-z][a-z-]{0,31}$/)
      .optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();

const settingsInput = z
  .object({
    autoLockMinutes: z.number().int().min(0).max(MAX_AUTO_LOCK_MINUTES).optional(),
    lockOnSleep: z.boolean().optional(),
  })
  .strict();

const target = z.string().min(3).max(130);
const grantRequest = z
  .object({
    store: shortText(32).optional(),
    developer: shortText(63),
    targets: z.array(target).min(1).max(100),
    expires: z
      .string()
      .regex(/^\d{1,4}[hdw]$/)
      .optional(),
    replace: z.boolean().optional(),
    invite: z.boolean().optional(),
  })
  .strict();
const revokeRequest = z
  .object({
    store: shortText(32).optional(),
    developer: shortText(63),
    targets: z.array(target).min(1).max(100).optional(),
  })
  .strict();

/** One tuple schema per call, in argument order. */
export const CALL_ARGUMENTS = {
  getState: z.tuple([]),
  createVault: z.tuple([password]),
  unlock: z.tuple([password]),
  lock: z.tuple([]),
  listItems: z.tuple([]),
  itemDetail: z.tuple([ref]),
  reveal: z.tuple([ref, field]),
  copy: z.tuple([ref, field]),
  listStores: z.tuple([]),
  addStore: z.tuple([storeInput]),
  removeStore: z.tuple([shortText(32)]),
  syncNow: z.union([z.tuple([]), z.tuple([shortText(32)]), z.tuple([z.undefined()])]),
  readAudit: z.tuple([auditQuery]),
  verifyAudit: z.tuple([]),
  updateSettings: z.tuple([settingsInput]),
  shellSetup: z.tuple([]),
  teamAccess: z.union([z.tuple([]), z.tuple([shortText(32)]), z.tuple([z.undefined()])]),
  previewGrant: z.tuple([grantRequest]),
  grant: z.tuple([grantRequest]),
  revoke: z.tuple([revokeRequest]),
} as const satisfies Record<CallName, z.ZodType<readonly unknown[]>>;
