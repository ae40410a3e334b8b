// One planned fault: a family of fault (cells.ts) struck at a context's
// moment (plan.ts), at an array chosen so that the fault lands where the cell
// says and stays legal: block damage within the budget strikes the array the
// phase already damaged (the rest would be suppressed), a failure strikes a
// full member, a leave a member that is not the last, a join an array
// outside the group. Returns false when this world has no such array, or
// lacks what the family's kinds need (sim/faults/kinds/).
import type { Family } from '../coverage/cells.js';
import { MS } from '../engine/time.js';
import { kindsOf } from '../faults/registry.js';
import { humanDuration as us } from '../scenario/units.js';
import { type Anchor, type Context, type Json, PARITY, type Plan } from './plan.js';

// Why over 70 lines: one switch over the fault families, each case a few lines drawing its own
// parameters against the same plan and anchor.
export function strike(plan: Plan, family: Family, ctx: Context): boolean {
  // A family whose kinds need what this world lacks (HDD arrays, the lossy network) cannot strike in it.
  if (kindsOf(family).some((k) => (k.needs === 'hdd' && !plan.hdd) || (k.needs === 'lossy' && !plan.lossy))) return false;
  const d = plan.d;
  const where = `${family}@${ctx.phase}`;
  switch (family) {
    case 'crash': {
      const array = ctx.array !== undefined && d.chance(0.7) ? ctx.array : plan.anyArray();
      plan.add({ do: 'crash', array, restartAfter: us(d.int(1 * MS, 30 * MS)) }, ctx.anchor, `${where}: crash ${array}`);
      return true;
    }
    case 'power-fail': {
      const r = d.real(0, 1);
      const arrays = ctx.array === undefined || r < 0.35 ? undefined : r < 0.8 || ctx.array === PARITY ? [ctx.array] : [ctx.array, PARITY];
      plan.add({ do: 'power-fail', ...(arrays !== undefined && { arrays }), restoreAfter: us(d.int(2 * MS, 60 * MS)) }, ctx.anchor, `${where}: power fails on ${arrays?.join(', ') ?? 'every array'}`);
      return true;
    }
    case 'partition':
    case 'flap': {
      const a = ctx.array ?? plan.anyArray();
      if (plan.roles.length === 0) plan.freeMember(); // a link needs a primary at one end
      const primaries = plan.roles.map((r) => r.name).filter((n) => n !== a);
      const b = a === PARITY || (primaries.length > 0 && d.chance(0.2)) ? (primaries.length > 0 ? d.pick(primaries) : undefined) : PARITY;
      if (b === undefined) return false;
      const entry: Json =
        family === 'partition'
          ? { do: 'partition', between: [a, b], oneWay: d.chance(0.3), for: us(d.int(1 * MS, 30 * MS)) }
          : { do: 'flap', between: [a, b], down: us(d.int(200, 3 * MS)), up: us(d.int(200, 3 * MS)), count: d.int(2, 20) };
      plan.add(entry, ctx.anchor, `${where}: ${family} ${a}<->${b}`);
      return true;
    }
    case 'fail-array':
      return failArray(plan, ctx, where);
    case 'fail-parity': {
      const again = ctx.phase === 'parity-rebuild' || ctx.phase === 'after-parity-rebuild'; // during or after its own rebuild: no overlap
      if (plan.failed.has(PARITY) && !again) return false;
      plan.failArray(PARITY, ctx.anchor, `${where}: the parity array fails`);
      return true;
    }
    case 'join': {
      const y = plan.outsider();
      if (y === undefined) return false;
      plan.orderJoin(y, ctx.anchor, `${where}: ${y} joins`);
      return true;
    }
    case 'leave':
      return leave(plan, ctx, where);
    case 'misread': {
      // Damages nothing (the read after it is right): the budget never suppresses it.
      const array = ctx.array !== undefined && d.chance(0.7) ? ctx.array : plan.anyArray();
      const count = d.int(1, 24);
      plan.add({ do: 'misdirect-read', array, count }, ctx.anchor, `${where}: the next read of ${count} blocks of ${array} misdirected`);
      return true;
    }
    case 'rogue': {
      // A confused peer: from outside the installation, or in the name of another array.
      const array = ctx.array !== undefined && d.chance(0.7) ? ctx.array : plan.anyArray();
      const others = [...plan.roles.map((r) => r.name), PARITY].filter((n) => n !== array);
      const from = others.length > 0 && d.chance(0.4) ? d.pick(others) : undefined;
      const count = d.int(10, 300);
      plan.add({ do: 'rogue-messages', array, count, ...(from !== undefined && { from }) }, ctx.anchor, `${where}: ${count} confused frames to ${array}${from !== undefined ? ` in ${from}'s name` : ''}`);
      return true;
    }
    case 'fail-drive':
    case 'latent-error':
    case 'corrupt':
    case 'misdirect': {
      const array = damageTarget(plan, ctx);
      // Within the budget, damage left open would suppress every later failure elsewhere: when any moment will do, a late one.
      const free = plan.budget === 'recoverable' && (ctx.phase === 'steady' || ctx.phase === 'scrub');
      const anchor = free ? { at: d.int(Math.floor(0.7 * plan.loadUs), Math.floor(0.9 * plan.loadUs)) } : ctx.anchor;
      if (family === 'fail-drive') plan.failDrive(array, anchor, `${where}: a drive of ${array} fails`);
      else {
        const count = d.int(1, plan.budget === 'unlimited' ? 12 : 6);
        plan.add({ do: family === 'latent-error' ? 'latent-errors' : family, array, count }, anchor, `${where}: ${family} ×${count} on ${array}`);
      }
      return true;
    }
  }
}

/** Within the budget, block damage beside a damaged array is suppressed: strike that array itself. */
function damageTarget(plan: Plan, ctx: Context): string {
  if (plan.budget === 'recoverable' && ctx.damaged.length > 0) return plan.d.pick(ctx.damaged);
  return ctx.array !== undefined && plan.d.chance(0.7) ? ctx.array : plan.anyArray();
}

/** A failure of a full member, never overlapping another failure of the same array. */
function failArray(plan: Plan, ctx: Context, where: string): boolean {
  const d = plan.d;
  let target: string | undefined;
  let anchor: Anchor = ctx.anchor;
  const unfailed = (a: string | undefined) => (a !== undefined && a !== PARITY && !plan.failed.has(a) && !plan.leaving.has(a) ? a : undefined);
  switch (ctx.phase) {
    case 'restoring':
    case 'after-restore':
      // The restoring array again (its own replacement failing: no overlap), or — unlimited — another.
      target = plan.budget === 'recoverable' || d.chance(0.5) ? ctx.array : plan.freeMember([ctx.array!]);
      break;
    case 'drive-down':
      target = plan.budget === 'recoverable' ? unfailed(ctx.array) : plan.freeMember([ctx.array!]);
      break;
    case 'after-loss': {
      const loss = plan.loss!;
      if (loss.joined) {
        // The joiner is a full member once its join completes (failing it mid-join loses unprotected data).
        target = unfailed(loss.array);
        anchor = { at: 0, after: { event: 'joined', array: loss.array, delay: d.int(0, 2 * MS) } };
      } else {
        target = loss.array; // failed before, with a second array: again, once restored
        anchor = { at: 0, after: { event: 'restored', array: loss.array, delay: d.int(0, 2 * MS) } };
      }
      break;
    }
    case 'delta-disorder':
      target = unfailed(ctx.array) ?? (plan.disorder !== undefined && !plan.failed.has(plan.disorder.array) ? plan.disorder.array : undefined);
      break;
    default:
      target = plan.freeMember(ctx.array === undefined ? [] : [ctx.array]);
  }
  if (target === undefined || target === PARITY || plan.leaving.has(target)) return false;
  // An array told to join is failed only once its join completed.
  if (plan.joining.has(target) && !(anchor.after?.event === 'joined' && anchor.after.array === target)) return false;
  plan.failArray(target, anchor, `${where}: ${target} fails`);
  return true;
}

/** A leave of a member that is not the last one staying. */
function leave(plan: Plan, ctx: Context, where: string): boolean {
  const d = plan.d;
  let target: string | undefined;
  let anchor: Anchor = ctx.anchor;
  const own = ctx.array !== undefined && ctx.array !== PARITY && !plan.leaving.has(ctx.array) ? ctx.array : undefined;
  switch (ctx.phase) {
    case 'restoring':
    case 'after-restore':
    case 'array-down':
    case 'after-join':
      target = own !== undefined && d.chance(0.5) ? own : plan.leaver(ctx.array === undefined ? [] : [ctx.array]);
      break;
    case 'after-loss':
      target = own;
      if (plan.loss?.joined) anchor = { at: 0, after: { event: 'joined', array: ctx.array!, delay: d.int(0, 2 * MS) } };
      break;
    case 'delta-disorder':
      target = own;
      break;
    default:
      target = plan.leaver(ctx.array === undefined ? [] : [ctx.array]);
  }
  if (target === undefined || plan.leaving.has(target)) return false;
  const staying = () => plan.roles.filter((r) => r.member && !plan.leaving.has(r.name) && r.name !== target).length;
  if (staying() === 0) plan.freeMember([target]); // someone stays in the group
  if (staying() === 0) return false;
  plan.orderLeave(target, anchor, `${where}: ${target} leaves`);
  return true;
}
