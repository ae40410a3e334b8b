// The parity array's side of restore (claims 5, 10, 15) and degraded reads.
//
// reconstruct(f, k): R = Q[k] ^ XOR(every other member's block k), holding
// the lock on Q[k] while it gathers the copies (no delta for k lands
// meanwhile) and accepts the cut only if no member reports a delta for k that
// parity has not acknowledged — otherwise that member's copy is ahead of Q[k]
// (H7): release, wait, try again. A member that cannot supply its copy (it
// failed too, or its sector is unreadable) makes k lost for both — recorded
// durably and reported, never invented (H9, H11; losses.ts) — and so does a
// stripe still waiting to be re-protected after an earlier loss (its Q[k]
// holds a block no member has any more); but first the asker is asked for its
// own copy: a restoring member's host may have written the block, and a
// retransmitted request may be served again after its block was repaired. A
// Q[k] that owes an absorbed delta is not used: it rebuilds nobody, so the
// asker's block is lost (its recomputation needs the asker's copy too).
// (literal-parity.ts gathers the copies once, as the claims say, and computes
// R from whatever arrived.)
//
// A restore runs as a session per request: every block of the member, in
// order with bounded concurrency, sent until acknowledged, then
// restore-complete. A newer session (the member restarted mid-restore)
// supersedes an older one.
import type { NodeId } from '../ports/transport.js';
import type { Message } from '../protocol/messages.js';
import { assert } from '../util/assert.js';
import type { Seam } from '../protocol/planted-bugs.js';
import { retransmitDelay } from '../protocol/retransmit.js';
import { xorInto } from '../protocol/xor.js';
import type { Member } from './member.js';
import type { Losses } from './losses.js';
import { requestCopy } from './copy-request.js';
import type { GroupView, PartDeps } from './part-deps.js';

export type Rebuilt = { readonly lost: false; readonly data: Uint8Array } | { readonly lost: true };

interface RestorerDeps extends PartDeps, GroupView {
  /** Members' lost blocks, and stripes waiting to be re-protected. */
  readonly losses: Losses;
  /** Records, durably, that these members' `block` is lost. */
  readonly declareLost: (members: readonly NodeId[], block: number, stale: boolean) => Promise<void>;
  /** Does Q[block] lack a delta it acknowledged without applying (its recomputation still owed)? */
  readonly owes: (block: number) => boolean;
  /** The decisions a planted bug may change (src/protocol/planted-bugs.ts). */
  readonly seam: Seam;
}

const CONCURRENCY = 8;

export class Restorer {
  readonly #d: RestorerDeps;
  readonly #sessions = new Map<NodeId, number>();
  #nextSession = 1;

  constructor(deps: RestorerDeps) {
    this.#d = deps;
  }

  /** Starts a new restore session for `member` (superseding any running one); returns its number. */
  begin(member: Member): number {
    const session = this.#nextSession++;
    this.#sessions.set(member.name, session);
    this.#d.clock.spawn(`restore ${member.name}`, () => this.#run(member, session));
    return session;
  }

  /** Is a restore of `member` running? */
  active(member: NodeId): boolean {
    return this.#sessions.has(member);
  }

  async reconstruct(forMember: NodeId, block: number): Promise<Rebuilt> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.#d.locks.with(block, () => this.#gather(forMember, block));
      if (result !== 'retry') {
        assert(result.lost || result.data.length === this.#d.disk.blockBytes, `block ${block} rebuilt as ${result.lost ? 0 : result.data.length} bytes`);
        return this.#d.seam.restored(block, result);
      }
      this.#d.probe.hit('restore-cut-retried');
      await this.#d.clock.sleep(retransmitDelay(this.#d.retransmit, attempt));
    }
  }

  async #gather(forMember: NodeId, block: number): Promise<Rebuilt | 'retry'> {
    const d = this.#d;
    assert(d.locks.busy(block), `block ${block} gathered without the Q[${block}] lock`);
    const lose = async (members: readonly NodeId[], stale = true): Promise<Rebuilt> => {
      // Unless the asker holds its copy after all: a restoring member's host wrote the block, or a
      // retransmitted request was served again after the block was repaired. That copy is the answer.
      const own = await requestCopy(d.rpc, forMember, block);
      if (own.status === 0 || own.status === 1) return { lost: false, data: own.data };
      await d.declareLost(members, block, stale);
      return { lost: true };
    };
    if (d.losses.has(forMember, block)) return { lost: true }; // lost before, and not written since
    // Q[block] does not hold the member's copy (a join has not merged it yet): nothing to rebuild from.
    if (!d.contributes(forMember, block)) return lose([forMember], false);
    // Q[block] holds a block no member has any more (a loss not re-protected yet).
    if (d.losses.stale(block)) return lose([forMember]);
    // Q[block] lacks a member's change (absorbed): it rebuilds nobody, and its recomputation needs the
    // asker's copy, which it has not (waiting for it would wait for ever: the recomputation asks the asker to repair).
    if (d.owes(block)) return lose([forMember]);
    const q = await d.disk.read(block);
    if (!q.ok) return lose([forMember]);
    // A member's lost block counts as the zeros Q holds for it (the stripe is not stale), whatever its disk says yet.
    const counted = (m: Member) => m.blockCount > block || !d.seam.zeroExtends;
    const others = [...d.members()].filter((m) => m.name !== forMember && counted(m) && d.contributes(m.name, block) && !d.losses.has(m.name, block));
    const copies = await Promise.all(others.map((m) => requestCopy(d.rpc, m.name, block)));
    const r = q.data;
    let retry = false;
    // Copies missing too: their members' blocks are as lost as this one.
    const missing = others.filter((_, i) => copies[i]!.status === 2).map((m) => m.name);
    if (missing.length > 0) return lose([forMember, ...missing]);
    for (const copy of copies) {
      if (copy.status === 1 && d.seam.cutsRestores) retry = true;
      if (copy.data.length === r.length) xorInto(r, copy.data);
    }
    return retry ? 'retry' : { lost: false, data: r };
  }

  async #run(member: Member, session: number): Promise<void> {
    const d = this.#d;
    const current = () => this.#sessions.get(member.name) === session;
    // Sessions are numbered in the order they begin: ours, or one begun since (we stop), or none (ended).
    assert((this.#sessions.get(member.name) ?? session) >= session, `restore session ${session} of ${member.name} older than the one running`);
    let next = 0;
    const worker = async () => {
      while (current() && next < member.blockCount) {
        const block = next++;
        const rebuilt = await this.reconstruct(member.name, block);
        const wait = d.buggify.delay('restore-before-send');
        if (wait > 0) await d.clock.sleep(wait);
        if (!current()) return;
        const message = (id: number): Message => ({ type: 'restore-data', id, session, block, lost: rebuilt.lost ? 1 : 0, data: rebuilt.lost ? new Uint8Array(0) : rebuilt.data });
        // A superseded session stops resending: its member ignores it (and never acknowledges it).
        await d.rpc.call(member.name, 'restore-ack', message, current);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    if (!current()) return;
    await d.rpc.call(member.name, 'restore-ack', (id) => ({ type: 'restore-complete', id, session }), current);
    if (current()) this.#sessions.delete(member.name);
  }
}
