// Which members' blocks are lost, as the parity array knows them, and which
// stripes still wait to be re-protected.
//
// A member's block is lost when parity cannot rebuild it: another copy in the
// group was damaged at the same time (a second failure, a latent error during
// a restore, two bad copies found by the scrub), or nothing protected it yet
// (its copy was unreadable when the build or its join merged it). From then on
// the member holds zeros for it, and Q[k] must be recomputed from the members'
// current copies — zeros for the lost ones — before the stripe protects
// anything again (`pending`, re-protected by repairer.ts). Until then Q[k]
// is `stale` if it holds the lost block's last data (a second failure, two
// bad copies): nothing can be rebuilt from it. A block that went into Q as
// zeros (unreadable when the build or a join merged it) leaves Q whole for
// the others: their copies can still be rebuilt while the member learns of its
// loss and zero-fills its block. Until a host write
// replaces the block (its delta says so: `replaces`), a restore of that member
// reports it lost again: parity is the only one left that remembers.
//
// Durable: every change is a journal record (parity-log.ts: `lost`, an
// `apply` that replaces, a `write` that recomputed Q[k]) and checkpoints carry
// both sets.
import type { NodeId } from '../ports/transport.js';
import { assert } from '../util/assert.js';

export class Losses {
  readonly #lost = new Map<NodeId, Set<number>>();
  /** Stripes whose Q[k] must be recomputed from the members' current copies. */
  readonly #pending = new Set<number>();
  /** Pending stripes whose Q[k] holds a lost block's data: beyond single parity until recomputed. */
  readonly #stale = new Set<number>();

  /** A checkpoint's state replaces whatever came before it. */
  restore(lost: readonly { readonly member: NodeId; readonly blocks: readonly number[] }[], pending: readonly number[], stale: readonly number[]): void {
    this.#lost.clear();
    for (const m of lost) for (const block of m.blocks) this.add(m.member, block, false);
    this.#pending.clear(); // add() marked every lost block's stripe: only the listed ones still wait
    this.#stale.clear();
    for (const block of pending) this.#pending.add(block);
    for (const block of stale) this.#stale.add(block);
    for (const block of this.#stale) assert(this.#pending.has(block), `stripe ${block} stale but not waiting to be re-protected`);
  }

  has(member: NodeId, block: number): boolean {
    return this.#lost.get(member)?.has(block) ?? false;
  }

  /** `member`'s `block` is lost; its stripe waits to be re-protected (`stale`: Q[block] holds its data). False if it was already lost. */
  add(member: NodeId, block: number, stale: boolean): boolean {
    this.#pending.add(block);
    if (stale) this.#stale.add(block);
    let blocks = this.#lost.get(member);
    if (blocks === undefined) this.#lost.set(member, (blocks = new Set()));
    assert(this.#pending.has(block) && (!stale || this.#stale.has(block)), `lost block ${block} of ${member}: its stripe not marked`);
    if (blocks.has(block)) return false;
    blocks.add(block);
    return true;
  }

  /** A host write replaced `member`'s lost `block`. */
  found(member: NodeId, block: number): void {
    const blocks = this.#lost.get(member);
    if (blocks === undefined) return;
    blocks.delete(block);
    if (blocks.size === 0) this.#lost.delete(member);
    assert(!this.has(member, block), `${member}'s block ${block} still lost after it was found`);
  }

  /** The member left: its blocks are nobody's now. */
  forget(member: NodeId): void {
    this.#lost.delete(member);
  }

  /** Does Q[block] wait to be recomputed from the members' copies? */
  pending(block: number): boolean {
    return this.#pending.has(block);
  }

  /** Does Q[block] hold a lost block's data (nothing can be rebuilt from it until it is recomputed)? */
  stale(block: number): boolean {
    return this.#stale.has(block);
  }

  /** Q[block] was recomputed from every member's current copy: the stripe protects again. */
  reprotected(block: number): void {
    this.#pending.delete(block);
    this.#stale.delete(block);
  }

  /** Stripes waiting to be re-protected, ascending. */
  pendingBlocks(): number[] {
    return [...this.#pending].sort((a, b) => a - b);
  }

  /** Stale stripes, ascending. */
  staleBlocks(): number[] {
    return [...this.#stale].sort((a, b) => a - b);
  }

  /** The whole state, as a string to compare (lost blocks, stripes waiting, stale ones). */
  fingerprint(): string {
    return JSON.stringify([this.entries(), this.pendingBlocks(), this.staleBlocks()]);
  }

  /** For a checkpoint: every member's lost blocks, sorted. */
  entries(): { member: NodeId; blocks: number[] }[] {
    return [...this.#lost]
      .map(([member, blocks]) => ({ member, blocks: [...blocks].sort((a, b) => a - b) }))
      .sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0));
  }
}
