// Protocol variants, selectable per run.
//
// literal  — claims 1-15 exactly as written, nothing added. The testbed exists
//            to show where it breaks (hazards H1-H7, docs/PROTOCOL.md#hazards).
// hardened — the product protocol: the claims plus what a product needs to
//            survive hazards H1-H12. docs/PROTOCOL.md says which mechanism
//            covers which hazard, and what proves it.

export type ProtocolVariant = 'literal' | 'hardened';

export const PROTOCOL_VARIANTS: readonly ProtocolVariant[] = ['literal', 'hardened'];
