/** The agent protocol's constants, in their own module so a client loads nothing else for them. */
export const PROTOCOL_VERSION = 1;
/** Most refs one resolve may name. */
export const MAX_REFS = 200;
