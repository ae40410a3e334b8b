// Protocol variants, selectable per run.
//
// literal  — claims 1-15 exactly as written, nothing added. The testbed exists
//            to show where it breaks (DESIGN.md section 3, hazards H1-H7).
// hardened — the product protocol. So far: per-block serialisation of
//            read-modify-writes at both ends (H4, H5). docs/PROTOCOL.md tracks
//            which hazards each mechanism covers.

export type ProtocolVariant = 'literal' | 'hardened';

export const PROTOCOL_VARIANTS: readonly ProtocolVariant[] = ['literal', 'hardened'];
