// Protocol variants, selectable per run.
//
// literal  — claims 1-15 exactly as written, nothing added. The testbed exists
//            to show where it breaks (DESIGN.md section 3, hazards H1-H7).
// hardened — the product protocol: the claims plus what a product needs to
//            survive hazards H1-H12. docs/PROTOCOL.md says which mechanism
//            covers which hazard, and what proves it.

export type ProtocolVariant = 'literal' | 'hardened';

export const PROTOCOL_VARIANTS: readonly ProtocolVariant[] = ['literal', 'hardened'];
