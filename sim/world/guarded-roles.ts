// A user's controllers, guarded: whatever their code does wrong — a factory
// that throws or returns something without the methods of its role, a method
// that throws where the world calls it, a host operation that rejects — ends
// the run as a crash of that node (a verdict, with the replay command), as an
// exception inside the built-in controllers does, instead of escaping the
// simulator. The built-in controllers are not wrapped: their calls, and so
// their runs, stay exactly as they were.
import type { ParityRole, PrimaryRole } from '../../src/controller-api.js';

type Fail = (error: unknown, where: string) => void;

const PRIMARY_METHODS = ['start', 'hostWrite', 'hostRead', 'restore', 'join', 'leave'] as const;
const PARITY_METHODS = ['start', 'build', 'rebuild'] as const;
/** Promises of an operation the world must not hear the end of (the node crashed doing it). */
const never = <T>() => new Promise<T>(() => {});

/** The primary `make` builds for `node`, or — if it cannot — an inert one, the crash reported through `fail`. */
export function guardedPrimary(node: string, make: () => PrimaryRole, fail: Fail): PrimaryRole {
  const role = built(node, 'primary', make, PRIMARY_METHODS, fail);
  if (role === undefined) return { start() {}, hostWrite: never, hostRead: never, restore() {}, join() {}, leave() {} };
  const call = guard(node, fail);
  return {
    start: () => call('start', () => role.start()),
    // A rejection is a crash too (the host gets no answer: the node died serving it).
    hostWrite: (block, data) => settle(node, 'hostWrite', call('hostWrite', () => role.hostWrite(block, data)) ?? never(), fail),
    hostRead: (block) => settle(node, 'hostRead', call('hostRead', () => role.hostRead(block)) ?? never(), fail),
    restore: () => call('restore', () => role.restore()),
    join: () => call('join', () => role.join()),
    leave: () => call('leave', () => role.leave()),
    ...(role.rebuildLostBlocks !== undefined && { rebuildLostBlocks: () => call('rebuildLostBlocks', () => role.rebuildLostBlocks!()) }),
    ...('restoring' in role && { get restoring() {
      return call('restoring', () => role.restoring) ?? false;
    } }),
    ...(role.busy !== undefined && { busy: (block: number) => call('busy', () => role.busy!(block)) ?? true }),
  };
}

/** The parity controller `make` builds, or an inert one (its build never ends), the crash reported through `fail`. */
export function guardedParity(node: string, make: () => ParityRole, fail: Fail): ParityRole {
  const role = built(node, 'parity', make, PARITY_METHODS, fail);
  if (role === undefined) return { start() {}, build: never, rebuild() {} };
  const call = guard(node, fail);
  return {
    start: () => call('start', () => role.start()),
    build: () => settle(node, 'build', call('build', () => role.build()) ?? never(), fail),
    rebuild: () => call('rebuild', () => role.rebuild()),
    ...(role.startScrub !== undefined && { startScrub: (us: number) => call('startScrub', () => role.startScrub!(us)) }),
    ...(role.finishScrub !== undefined && { finishScrub: () => settle(node, 'finishScrub', call('finishScrub', () => role.finishScrub!()) ?? never(), fail) }),
    ...(role.rebuildLostBlocks !== undefined && { rebuildLostBlocks: () => call('rebuildLostBlocks', () => role.rebuildLostBlocks!()) }),
    ...(role.contributes !== undefined && { contributes: (member: string, block: number) => call('contributes', () => role.contributes!(member, block)) ?? false }),
    ...(role.busy !== undefined && { busy: (block: number) => call('busy', () => role.busy!(block)) ?? true }),
  };
}

/** Calls the factory and checks its result has every method of the role; undefined (and a crash) if not. */
function built<R>(node: string, factory: string, make: () => R, methods: readonly string[], fail: Fail): R | undefined {
  let role: R;
  try {
    role = make();
  } catch (error) {
    fail(error, `${node}: ${factory}(ports, config)`);
    return undefined;
  }
  const object = role as Record<string, unknown> | null;
  const missing = typeof object === 'object' && object !== null ? methods.filter((m) => typeof object[m] !== 'function') : methods;
  if (missing.length > 0) {
    const got = typeof object === 'object' && object !== null ? 'an object' : String(object);
    fail(new TypeError(`${factory}(ports, config) returned ${got} without ${missing.map((m) => `${m}()`).join(', ')} (src/controller-api.ts)`), `${node}: ${factory}(ports, config)`);
    return undefined;
  }
  return role;
}

/** Runs one call of the user's code; a throw is the node's crash, and the call's answer undefined. */
function guard(node: string, fail: Fail) {
  return <T>(method: string, fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (error) {
      fail(error, `${node}: ${method}()`);
      return undefined;
    }
  };
}

/** `promise`, whose rejection is the node's crash: then it never settles for the world. */
function settle<T>(node: string, method: string, promise: Promise<T>, fail: Fail): Promise<T> {
  return Promise.resolve(promise).then(undefined, (error: unknown) => {
    fail(error, `${node}: ${method}()`);
    return never<T>();
  });
}
