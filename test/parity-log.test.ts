// Parity's journal replay (src/parity/parity-log.ts): a checkpoint omits the
// applies in progress when it is taken, and keeps their records; after
// trimming, the log can begin with those records, before any record naming
// the member's epoch. Replay must count them by the epoch the checkpoint
// after them records — it took them for epoch 0's and dropped them, so a
// delta applied before a power failure was applied again after it
// (generated seed 461, scenarios/regressions/applies-before-checkpoint.json).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParityLog, type Replay } from '../src/parity/parity-log.js';
import type { DurableLog, LogRecord } from '../src/ports/durable-log.js';
import { NO_PROBE } from '../src/ports/probe.js';
import type { Clock } from '../src/ports/clock.js';
import { type CheckpointState, type ParityJournalRecord, decodeParityRecord, encodeParityRecord } from '../src/protocol/parity-journal.js';
import type { WriteResult } from '../src/ports/block-device.js';
import { Group } from '../src/parity/group.js';
import type { Joiner } from '../src/parity/joiner.js';
import type { Leaver } from '../src/parity/leaver.js';
import { Losses } from '../src/parity/losses.js';

function logOf(records: readonly [number, ParityJournalRecord][]): DurableLog {
  const entries: LogRecord[] = records.map(([position, r]) => ({ position, data: encodeParityRecord(r) }));
  return {
    append: async () => entries.length,
    trim: async () => {},
    writeHeader: async () => {},
    read: async () => ({ header: new Uint8Array(0), trimmedUpTo: entries[0]!.position - 1, records: entries }),
  };
}

/** A replay that does nothing with what it hears (each test overrides what it watches). */
function inert(overrides: Partial<Replay> = {}): Replay {
  const none = () => {};
  return { checkpoint: () => false, epoch: none, applied: none, lost: none, found: none, reprotected: none, lossesForgotten: none, member: none, merged: none, unmerged: none, redo: async () => true, ...overrides };
}

function recover(records: readonly [number, ParityJournalRecord][], replay: Replay, hits: string[] = []): Promise<number[]> {
  const log = new ParityLog(logOf(records), {} as Clock, { ...NO_PROBE, hit: (name: string) => void hits.push(name) }, 128, () => ({ applied: [] }), async () => ({ ok: true }));
  return log.recover(replay);
}

/** The blocks recovery hands to a recomputation, when the redo of the records at `failing` positions fails (its drive failed). */
function owedAfterReplay(records: readonly [number, ParityJournalRecord][], failing: readonly number[]): Promise<number[]> {
  let next = 0;
  const redone = records.filter(([, r]) => 'newQ' in r && r.newQ.length > 0).map(([p]) => p);
  return recover(records, inert({ redo: async () => !failing.includes(redone[next++]!) }));
}

async function appliedAfterReplay(records: readonly [number, ParityJournalRecord][]): Promise<Map<string, number[]>> {
  const applied = new Map<string, number[]>();
  const add = (member: string, seq: number) => applied.set(member, [...(applied.get(member) ?? []), seq]);
  const replay = inert({
    checkpoint: (state, since) => {
      applied.clear();
      for (const a of state.applied) {
        const seqs: number[] = [];
        for (let s = 1; s <= a.floor; s++) seqs.push(s);
        applied.set(a.member, [...seqs, ...a.above, ...(since.get(a.member) ?? [])]);
      }
      return false;
    },
    epoch: (member) => void applied.set(member, []),
    applied: add,
  });
  await recover(records, replay);
  return applied;
}

const q = new Uint8Array(8);
const apply = (seq: number, epoch: number): ParityJournalRecord => ({ kind: 'apply', member: 'p2', epoch, seq, block: 343, replaces: 0, newQ: q });

test('applies logged before the checkpoint that omitted them count, in the epoch it records', async () => {
  const applied = await appliedAfterReplay([
    [3355, apply(380, 1)],
    [3356, apply(381, 1)],
    [3358, { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 1, floor: 379, above: [] }] }],
  ]);
  const p2 = applied.get('p2')!;
  assert.ok(p2.includes(380) && p2.includes(381), `p2 applied: …${p2.slice(-3).join(', ')}`);
});

test('an apply of another epoch than the checkpoint records still counts for nothing', async () => {
  const applied = await appliedAfterReplay([
    [10, apply(7, 1)],
    [11, { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 2, floor: 0, above: [] }] }],
  ]);
  assert.equal(applied.get('p2'), []);
});

// Seed 767 (scenarios/regressions/parity-redo-settles-failed-redo.json): parity's drive failed
// during its journal replay, so one redo of Q[2] failed; the next logged Q[2] was rewritten once the
// drive was replaced. Recovery still owed a recomputation, and the Q owing it rebuilt nobody: a
// member's block damaged later was declared lost though Q[2] held it.
test('a later logged Q rewritten settles an earlier redo that failed', async () => {
  const owed = await owedAfterReplay([[1, apply(1, 0)], [2, apply(2, 0)]], [1]);
  assert.equal(owed, []);
});

test('the blocks owed a recomputation are handed back in order', async () => {
  const absorbed = (block: number): ParityJournalRecord => ({ ...apply(block, 0), block, newQ: new Uint8Array(0) }) as ParityJournalRecord;
  assert.equal(await owedAfterReplay([[1, absorbed(343)], [2, absorbed(100)], [3, absorbed(7)]], []), [7, 100, 343]);
});

test('the last logged Q not rewritten is owed a recomputation', async () => {
  assert.equal(await owedAfterReplay([[1, apply(1, 0)], [2, apply(2, 0)]], [2]), [343]);
});

test('an absorbed delta stays owed after a later apply, and is settled by a logged recomputation', async () => {
  const absorbed: ParityJournalRecord = { ...apply(1, 0), newQ: new Uint8Array(0) } as ParityJournalRecord;
  assert.equal(await owedAfterReplay([[1, absorbed], [2, apply(2, 0)]], []), [343]);
  const recomputed: ParityJournalRecord = { kind: 'write', block: 343, newQ: q } as ParityJournalRecord;
  assert.equal(await owedAfterReplay([[1, absorbed], [2, recomputed]], []), []);
});

test("a recomputation that took a lost member's data ends its loss at replay", async () => {
  const events: string[] = [];
  const replay = inert({
    lost: (member, block) => void events.push(`lost ${member} ${block}`),
    found: (member, block) => void events.push(`found ${member} ${block}`),
    reprotected: (block) => void events.push(`reprotected ${block}`),
  });
  await recover(
    [
      [1, { kind: 'lost', member: 'p2', block: 7, stale: 1 }],
      [2, { kind: 'write', block: 7, newQ: q, found: ['p2'] }],
    ],
    replay,
  );
  assert.equal(events, ['lost p2 7', 'reprotected 7', 'found p2 7']);
});

test('what each record tells of losses at replay: zeros merged lost, a copy merged found, a recomputation re-protects, a loss as logged', async () => {
  const events: string[] = [];
  const replay = inert({
    lost: (member, block, stale) => void events.push(`lost ${member} ${block}${stale ? ' stale' : ''}`),
    found: (member, block) => void events.push(`found ${member} ${block}`),
    reprotected: (block) => void events.push(`reprotected ${block}`),
  });
  await recover(
    [
      [1, { kind: 'merge', member: 'p1', block: 1, upTo: 0, epoch: 0, noCopy: 1, newQ: q }],
      [2, { kind: 'merge', member: 'p1', block: 2, upTo: 0, epoch: 0, noCopy: 0, newQ: q }],
      [3, { kind: 'write', block: 3, newQ: q }],
      [4, { kind: 'lost', member: 'p2', block: 4, stale: 0 }],
      [5, { kind: 'lost', member: 'p2', block: 5, stale: 1 }],
    ],
    replay,
  );
  assert.equal(events, ['lost p1 1', 'found p1 2', 'reprotected 3', 'lost p2 4', 'lost p2 5 stale']);
});

/** A journal in memory, and a clock whose timers run when the test says (each checkpoint is an event of its own). */
function live(every: number, records: readonly ParityJournalRecord[] = [], snapshot: () => CheckpointState = () => ({ applied: [] }), flush: () => Promise<WriteResult> = async () => ({ ok: true }), hits: string[] = []) {
  const entries: LogRecord[] = records.map((r, i) => ({ position: i + 1, data: encodeParityRecord(r) }));
  let next = entries.length + 1;
  let trimmedUpTo = 0;
  const journal: DurableLog = {
    append: async (data) => (entries.push({ position: next, data }), next++),
    trim: async (position) => {
      trimmedUpTo = Math.max(trimmedUpTo, position);
      entries.splice(0, entries.filter((e) => e.position <= position).length);
    },
    writeHeader: async () => {},
    read: async () => ({ header: new Uint8Array(0), trimmedUpTo, records: [...entries] }),
  };
  const timers: (() => void)[] = [];
  const clock = { now: () => 0, sleep: () => new Promise<void>(() => {}), timer: (_us: number, fn: () => void) => (timers.push(fn), { cancel() {} }), spawn: (_name: string, task: () => Promise<void>) => void task() } as Clock;
  const log = new ParityLog(journal, clock, { ...NO_PROBE, hit: (name: string) => void hits.push(name) }, every, snapshot, flush);
  const settle = async () => {
    for (let i = 0; i < 20; i++) await Promise.resolve();
  };
  /** Runs the posted events (checkpoints) and what they started. */
  const runTimers = async () => {
    await settle();
    for (const fn of timers.splice(0)) fn();
    await settle();
  };
  return { log, journal, entries, runTimers };
}

const epoch = (n: number): ParityJournalRecord => ({ kind: 'epoch', member: 'p1', epoch: n });

test('records of any kind count toward a checkpoint: a join logs merges and maybe no apply', async () => {
  const { log, entries, runTimers } = live(4);
  for (let i = 1; i <= 3; i++) await log.append(epoch(i));
  await runTimers();
  assert.is(entries.length, 3, 'three records: none due');
  await log.append(epoch(4));
  await runTimers();
  assert.equal(entries.map((e) => e.data[0]), [2], 'the fourth made one due: a checkpoint, and everything before it trimmed');
});

test('records a crash left to replay count toward the next checkpoint', async () => {
  const { log, entries, runTimers } = live(4, [{ kind: 'checkpoint', applied: [] }, epoch(1), epoch(2), epoch(3)]);
  await log.recover(inert());
  log.recovered();
  await runTimers();
  assert.is(entries.length, 4, 'three since the checkpoint: none due yet');
  await log.append(epoch(4));
  await runTimers();
  assert.equal(entries.map((e) => e.data[0]), [2], 'the fourth, across the crash, made one due');
});

test('recovery over a full interval takes the checkpoint once the controller has the state', async () => {
  const { log, entries, runTimers } = live(2, [epoch(1), epoch(2), epoch(3)]);
  await log.recover(inert());
  await runTimers();
  assert.is(entries.length, 3, 'not during recovery: the snapshot would miss what replay has not applied');
  log.recovered();
  await runTimers();
  assert.equal(entries.map((e) => e.data[0]), [2]);
});


const kinds = (entries: readonly LogRecord[]) => entries.map((e) => decodeParityRecord(e.data).kind);
const done = async (): Promise<WriteResult> => ({ ok: true });

test('a checkpoint trims every record whose write is done, a held one once released, and keeps one still held', async () => {
  // Held (released), then a write done: both trimmed — the write's position is the last known.
  const a = live(2);
  (await a.log.held(apply(1, 0)))();
  await a.log.journaled(apply(2, 0), done);
  await a.runTimers();
  assert.equal(kinds(a.entries), ['checkpoint'], 'a write done, or a held record released, trimmed');
  // A write done, then a held record released: the held record's position is the last known.
  const b = live(2);
  await b.log.journaled(apply(1, 0), done);
  (await b.log.held(apply(2, 0)))();
  await b.runTimers();
  assert.equal(kinds(b.entries), ['checkpoint']);
  // Held and not released: kept, and so is every record after it.
  const c = live(2);
  await c.log.held(apply(1, 0));
  await c.log.journaled(apply(2, 0), done);
  await c.runTimers();
  assert.equal(kinds(c.entries), ['apply', 'apply', 'checkpoint'], 'a delta still owed to a recomputation trimmed');
});

test('a checkpoint whose flush fails trims nothing, and is taken again (one at a time) once the drive is replaced', async () => {
  const hits: string[] = [];
  let flush = async (): Promise<WriteResult> => ({ ok: false, error: 'media-error' });
  const { log, entries, runTimers } = live(2, [], undefined, () => flush(), hits);
  await log.append(epoch(1));
  await log.append(epoch(2));
  await runTimers();
  assert.equal(kinds(entries), ['epoch', 'epoch', 'checkpoint'], 'trimmed records whose Q writes may not be on the media');
  assert.equal(hits, ['parity-checkpoint-untrimmed']);
  // The drive replaced: the checkpoint is taken again, its flush under way while it is asked for once more.
  let land = () => {};
  flush = () => new Promise((resolve) => (land = () => resolve({ ok: true })));
  log.retryCheckpoint();
  await runTimers();
  log.retryCheckpoint();
  await runTimers();
  assert.equal(kinds(entries), ['epoch', 'epoch', 'checkpoint', 'checkpoint'], 'one checkpoint at a time');
  land();
  await runTimers();
  assert.equal(kinds(entries), ['checkpoint', 'checkpoint'], 'the records the failed checkpoint kept are trimmed now');
  log.retryCheckpoint(); // trimmed: nothing to take again
  await runTimers();
  assert.is(entries.length, 2);
});

test('records logged while a checkpoint is taken make the next one due as soon as it is done', async () => {
  const lands: (() => void)[] = [];
  const { log, entries, runTimers } = live(2, [], undefined, () => new Promise((resolve) => lands.push(() => resolve({ ok: true }))));
  await log.append(epoch(1));
  await log.append(epoch(2));
  await runTimers(); // the first checkpoint appended, its flush under way
  await log.append(epoch(3));
  await log.append(epoch(4));
  await runTimers();
  assert.equal(kinds(entries), ['epoch', 'epoch', 'checkpoint', 'epoch', 'epoch'], 'a second checkpoint began while the first was under way');
  lands.shift()?.();
  await runTimers(); // the first done: the second, due meanwhile, taken
  lands.shift()?.();
  await runTimers();
  assert.equal(kinds(entries), ['checkpoint'], 'the records logged during the first checkpoint trimmed by the next');
});

/** The checkpoint replay hands the controller, and whether it hit the probe for an epoch record newer than it. */
async function checkpointAfter(records: readonly [number, ParityJournalRecord][]): Promise<{ state: CheckpointState | undefined; renewed: boolean }> {
  const hits: string[] = [];
  let state: CheckpointState | undefined;
  const log = new ParityLog(logOf(records), {} as Clock, { ...NO_PROBE, hit: (name: string) => void hits.push(name) }, 128, () => ({ applied: [] }), async () => ({ ok: true }));
  await log.recover(inert({ checkpoint: (s) => ((state = s), false) }));
  return { state, renewed: hits.includes('checkpoint-epoch-replayed') };
}

test("an epoch record newer than its checkpoint replaces that member's entry alone, with the request that began it", async () => {
  const p1 = { member: 'p1', epoch: 5, floor: 9, above: [11] };
  const listed = [p1, { member: 'p2', epoch: 1, floor: 40, above: [], request: 7 }];
  const checkpoint: [number, ParityJournalRecord] = [22, { kind: 'checkpoint', applied: listed }];
  const newer = await checkpointAfter([[20, { kind: 'epoch', member: 'p2', epoch: 2, request: 2 ** 32 + 3 }], checkpoint]);
  assert.equal(newer.state?.applied, [p1, { member: 'p2', epoch: 2, floor: 0, above: [], request: 2 ** 32 + 3 }]);
  assert.ok(newer.renewed);
  // Of the epoch the checkpoint records: it stands as it is (its deltas counted), and no probe.
  const same = await checkpointAfter([[20, { kind: 'epoch', member: 'p2', epoch: 1 }], checkpoint]);
  assert.equal(same.state?.applied, listed);
  assert.not.ok(same.renewed);
});

test("an epoch record sets the member's epoch for the applies after it, and is handed on", async () => {
  // An apply of the previous life after the new epoch's record: its number means nothing now.
  assert.equal((await appliedAfterReplay([[20, { kind: 'epoch', member: 'p2', epoch: 2 }], [21, apply(1, 1)]])).get('p2'), []);
  // Applies before it are of the life it ends: the controller restarts the member's numbers.
  assert.equal((await appliedAfterReplay([[20, apply(1, 1)], [21, { kind: 'epoch', member: 'p2', epoch: 2 }]])).get('p2'), []);
});

test("a member record is handed on; one that left forgets its losses after the next checkpoint, and its epochs before", async () => {
  const events: string[] = [];
  await recover(
    [
      [20, { kind: 'member', name: 'p3', blockCount: 4, state: 'member' }],
      [21, { kind: 'member', name: 'p2', blockCount: 4, state: 'left' }],
      [22, { kind: 'checkpoint', applied: [] }],
    ],
    inert({
      member: (name, blockCount, state) => void events.push(`member ${name} ${blockCount} ${state}`),
      lossesForgotten: (member) => void events.push(`forgotten ${member}`),
      checkpoint: (_state, _since, lossChanges) => {
        events.push('checkpoint');
        for (const change of lossChanges) change();
        return false;
      },
    }),
  );
  assert.equal(events, ['member p3 4 member', 'member p2 4 left', 'checkpoint', 'forgotten p2']);
  // An epoch record of its life before it left says nothing of the checkpoint's entry for its new life.
  const listed = [{ member: 'p2', epoch: 0, floor: 5, above: [] }];
  const { state } = await checkpointAfter([
    [20, { kind: 'epoch', member: 'p2', epoch: 3 }],
    [21, { kind: 'member', name: 'p2', blockCount: 4, state: 'left' }],
    [22, { kind: 'member', name: 'p2', blockCount: 4, state: 'joining' }],
    [23, { kind: 'checkpoint', applied: listed }],
  ]);
  assert.equal(state?.applied, listed);
});

test("merge and unmerge records are handed on; a merge teaches an epoch not known yet, and only then", async () => {
  const events: string[] = [];
  const hits: string[] = [];
  await recover(
    [
      [20, { kind: 'merge', member: 'p2', block: 3, upTo: 9, epoch: 2, noCopy: 0, newQ: q }],
      [21, { kind: 'unmerge', member: 'p1', block: 4, newQ: q }],
    ],
    inert({
      merged: (member, block, upTo, epoch) => void events.push(`merged ${member} ${block} ${upTo} ${epoch}`),
      unmerged: (member, block) => void events.push(`unmerged ${member} ${block}`),
    }),
    hits,
  );
  assert.equal(events, ['merged p2 3 9 2', 'unmerged p1 4']);
  assert.equal(hits, ['parity-journal-redo', 'parity-journal-redo'], 'each logged Q rewritten');
  const merge = (epoch: number): ParityJournalRecord => ({ kind: 'merge', member: 'p2', block: 3, upTo: 0, epoch, noCopy: 0, newQ: q });
  // Learned from the merge (as a rebuilt parity array learns it): an apply of another epoch counts for nothing.
  assert.equal((await appliedAfterReplay([[20, merge(2)], [21, apply(1, 1)]])).get('p2'), undefined);
  // Known from an epoch record: a merge of an older epoch does not change it.
  assert.equal((await appliedAfterReplay([[20, { kind: 'epoch', member: 'p2', epoch: 3 }], [21, merge(2)], [22, apply(1, 3)]])).get('p2'), [1]);
});

test('a log that never failed a checkpoint has none to take again; without a journal it is not enabled', async () => {
  const { log, entries, runTimers } = live(2, [epoch(1)]);
  assert.ok(log.enabled);
  log.retryCheckpoint(); // as start() does: a checkpoint now, before replay, would record the group as configured
  await runTimers();
  assert.equal(kinds(entries), ['epoch']);
  assert.not.ok(new ParityLog(undefined, {} as Clock, NO_PROBE, 2, () => ({ applied: [] }), async () => ({ ok: true })).enabled);
});

/** A group of p1 and p2, its joins and leaves long done (all a checkpoint asks of them). */
function groupOf(losses: Losses): Group {
  const joiner = { members: () => [], joining: () => false, restoreJoined: () => {}, restoreMerged: () => {}, forget: () => {} } as unknown as Joiner;
  const leaver = { entries: () => [], restoreRemoved: () => {}, forget: () => {} } as unknown as Leaver;
  return new Group([{ name: 'p1', blockCount: 301 }, { name: 'p2', blockCount: 301 }], joiner, leaver, losses);
}

test('a loss whose merge was still writing Q when a checkpoint was taken survives the replay (generated seed 545)', async () => {
  const before = groupOf(new Losses());
  const { log, entries, runTimers } = live(2, [], () => before.snapshot());
  // A join copy "no copy": the merge record logged, its Q write under way (the loss is taken once it is done).
  const merge: ParityJournalRecord = { kind: 'merge', member: 'p1', block: 45, upTo: 0, epoch: 0, noCopy: 1, newQ: new Uint8Array(32) };
  void log.journaled(merge, () => new Promise(() => {})); // the write never ends: parity crashes first
  await log.append({ kind: 'lost', member: 'p1', block: 6, stale: 0 });
  before.losses.add('p1', 6, false);
  await runTimers();
  assert.equal(entries.map((e) => decodeParityRecord(e.data).kind), ['merge', 'lost', 'checkpoint'], 'the merge kept (in progress), then the checkpoint');
  const after = groupOf(new Losses());
  await log.recover(after.replay(async () => true));
  assert.ok(after.losses.has('p1', 6));
  assert.ok(after.losses.has('p1', 45), 'the checkpoint, whose snapshot lacked it, wiped the loss its merge record replayed');
  assert.ok(after.losses.pending(45));
});


// Generated seed 173 (scenarios/regressions/checkpoint-during-replacing-write-u173.json): p2's host
// write replaced its lost block 88 (an apply with `replaces`); a checkpoint was taken while that
// apply's Q write was under way, so it kept the record and still listed the block lost (the loss ends
// once the write is done). After a power failure, replay ended the loss at the record and the
// checkpoint after it brought it back: p2's restore was told the block was lost, and zero-filled the
// host's data under a Q[88] that still held it.
test("a checkpoint taken while a write that replaced a lost block is under way keeps the loss ended", async () => {
  const losses = new Losses();
  losses.add('p2', 88, true);
  losses.reprotected(88);
  const group = groupOf(losses);
  const { log, journal, runTimers } = live(2, [], () => group.snapshot());
  let land: (r: WriteResult) => void = () => {};
  const write = log.journaled({ kind: 'apply', member: 'p2', epoch: 0, seq: 1, block: 88, replaces: 1, newQ: q }, () => new Promise((resolve) => (land = resolve)));
  await log.append(epoch(1));
  await runTimers(); // the checkpoint, with the apply's write still under way
  land({ ok: true });
  await write;
  losses.found('p2', 88); // as deltas.ts does once the write is done
  const kinds = (await journal.read()).records.map((e) => e.data[0]);
  assert.is(kinds.length, 3, 'the apply kept, before the checkpoint');
  const after = new Losses();
  await new ParityLog(journal, {} as Clock, NO_PROBE, 2, () => ({ applied: [] }), async () => ({ ok: true })).recover(groupOf(after).replay(async () => true));
  assert.not.ok(after.has('p2', 88), "p2's block 88 lost again after replay");
});

// A restore's epoch record still being written (or landing before the checkpoint's own append) when a
// checkpoint's snapshot is taken sits before the checkpoint in the log, and the snapshot holds the
// member's older epoch. Replay must not put the member back in that epoch: its later applies would be
// skipped as another epoch's, and a retransmission of one applied twice.
test('an epoch record kept before a checkpoint that predates it stands after the checkpoint', async () => {
  const applied = await appliedAfterReplay([
    [20, { kind: 'epoch', member: 'p2', epoch: 2, request: 2 ** 32 + 1 }],
    [21, apply(1, 2)],
    [22, { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 1, floor: 40, above: [] }] }],
    [23, apply(2, 2)],
  ]);
  assert.equal(applied.get('p2'), [1, 2], 'epoch 2: deltas 1 and 2 applied, none of epoch 1');
});

test('an epoch record for a member its checkpoint does not list yet counts after it', async () => {
  const applied = await appliedAfterReplay([
    [20, { kind: 'epoch', member: 'p2', epoch: 1 }],
    [21, apply(1, 1)],
    [22, { kind: 'checkpoint', applied: [] }],
    [23, apply(2, 1)],
  ]);
  assert.equal(applied.get('p2'), [1, 2]);
});

test('a checkpoint newer than the epoch records before it keeps its own epoch', async () => {
  const applied = await appliedAfterReplay([
    [20, { kind: 'epoch', member: 'p2', epoch: 2 }],
    [22, { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 3, floor: 4, above: [] }] }],
    [23, apply(5, 3)],
  ]);
  assert.equal(applied.get('p2'), [1, 2, 3, 4, 5]);
});

test("a newer epoch record's member keeps no merge of the older epoch from the checkpoint after it", async () => {
  let merged: CheckpointState['merged'];
  await recover(
    [
      [20, { kind: 'epoch', member: 'p2', epoch: 2 }],
      [22, { kind: 'checkpoint', applied: [{ member: 'p2', epoch: 1, floor: 9, above: [] }, { member: 'p1', epoch: 0, floor: 3, above: [] }], merged: [{ member: 'p2', blocks: [[5, 9]] }, { member: 'p1', blocks: [[6, 3]] }] }],
    ],
    inert({ checkpoint: (state) => ((merged = state.merged), false) }),
  );
  assert.equal(merged, [{ member: 'p1', blocks: [[6, 3]] }], "p2's delta numbers restarted: its copy reflecting up to 9 of epoch 1 says nothing of epoch 2's");
});

test.run();
