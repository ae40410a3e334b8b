// The operator's standing orders for one node, kept in `orders.json` in its
// directory: what the simulator's operator keeps in memory (sim/world/
// operator.ts, membership.ts) and gives every new controller — whether a
// primary is a member, joining, leaving or outside the group and whether a
// restore is ordered and not yet done; the group a parity array was installed
// for, and which members a replaced parity array has still to merge. A
// controller restarted before an order completed is given it again, as there.
//
// The file belongs to the node, not to its array: it survives the array's
// loss (like the boot counter), and is replaced atomically (atomic-file.ts).
// It is our own file, but read as input all the same: one that does not parse
// is refused with its path, never guessed at.
import { readFile } from 'node:fs/promises';
import type { GroupMember } from '../controller-api.js';
import { removeLeftover, replaceFile } from './atomic-file.js';

export type Membership = 'member' | 'joining' | 'leaving' | 'outside';

/** The array's geometry as installed (its image has no header to say it). */
interface Geometry {
  readonly blockBytes: number;
  readonly blocks: number;
}

export interface PrimaryOrders extends Geometry {
  readonly role: 'primary';
  readonly membership: Membership;
  /** A restore from parity is ordered (the array was replaced) and not yet reported done. */
  readonly restore: boolean;
}

export interface ParityOrders extends Geometry {
  readonly role: 'parity';
  /** The group this parity array was installed for (its journal records the changes since). */
  readonly installed: readonly GroupMember[];
  /** Members a replaced parity array has still to merge (reported `joined` when done). */
  readonly rebuild: readonly string[];
}

export type Orders = PrimaryOrders | ParityOrders;

const MEMBERSHIPS: readonly Membership[] = ['member', 'joining', 'leaving', 'outside'];

export class OrdersFile<T extends Orders = Orders> {
  readonly path: string;
  #current: T;
  #written: Promise<void> = Promise.resolve();

  private constructor(path: string, orders: T) {
    this.path = path;
    this.#current = orders;
  }

  /** The orders at `path`, or undefined if there are none (the node was never installed there). */
  static async load(path: string): Promise<OrdersFile | undefined> {
    await removeLeftover(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
    return new OrdersFile(path, parseOrders(path, text));
  }

  /** Writes the first orders of a node (durably) and returns them. */
  static async create<T extends Orders>(path: string, orders: T): Promise<OrdersFile<T>> {
    const file = new OrdersFile(path, orders);
    await file.update({});
    return file;
  }

  get current(): T {
    return this.#current;
  }

  /** Applies `patch` now (readers see it at once) and resolves once the file holds it; writes go out in call order. */
  update(patch: Partial<T>): Promise<void> {
    this.#current = { ...this.#current, ...patch };
    const text = `${JSON.stringify(this.#current, null, 2)}\n`;
    const write = this.#written.then(() => replaceFile(this.path, new TextEncoder().encode(text)));
    this.#written = write;
    return write;
  }
}

function parseOrders(path: string, text: string): Orders {
  const bad = (why: string) => new Error(`${path}: unreadable orders (${why}); the node's standing orders cannot be guessed — restore the file or reinstall the node`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('not JSON');
  }
  const o = json as Record<string, unknown>;
  if (typeof o !== 'object' || o === null) throw bad('not an object');
  const whole = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) > 0;
  if (!whole(o['blockBytes']) || !whole(o['blocks'])) throw bad('geometry');
  const geometry = { blockBytes: o['blockBytes'], blocks: o['blocks'] };
  if (o['role'] === 'primary') {
    if (!MEMBERSHIPS.includes(o['membership'] as Membership)) throw bad('membership');
    if (typeof o['restore'] !== 'boolean') throw bad('restore');
    return { role: 'primary', ...geometry, membership: o['membership'] as Membership, restore: o['restore'] };
  }
  if (o['role'] === 'parity') {
    const installed = o['installed'];
    const rebuild = o['rebuild'];
    const member = (m: unknown): m is GroupMember => {
      const g = m as Record<string, unknown>;
      return typeof g === 'object' && g !== null && typeof g['name'] === 'string' && whole(g['blockCount']) && typeof g['joining'] === 'boolean';
    };
    if (!Array.isArray(installed) || !installed.every(member)) throw bad('installed');
    if (!Array.isArray(rebuild) || !rebuild.every((r) => typeof r === 'string')) throw bad('rebuild');
    return { role: 'parity', ...geometry, installed, rebuild };
  }
  throw bad('role');
}
