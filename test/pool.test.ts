// The worker pool (sim/parallel/pool.ts): results in job order on any number of
// threads; one worker runs in this thread; a JobPool keeps its threads from one
// batch to the next (a steered exploration runs fifty batches: a pool each cost
// more CPU than the seeds, loading the simulator in every new thread).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { threadId } from 'node:worker_threads';
import { JobPool, runJobs } from '../sim/parallel/pool.js';
import type { Job } from '../sim/parallel/job.js';

const MODULE = new URL('./fixtures/thread-job.ts', import.meta.url).href;
const jobs = (inputs: number[]): Job[] => inputs.map((input) => ({ module: MODULE, fn: 'whereAmI', input }));
type Where = { input: number; threadId: number };

test('one worker: every job in this thread, in order', async () => {
  const r = await runJobs<Where>(jobs([1, 2, 3]), { workers: 1 });
  assert.equal(r.map((x) => x.input), [1, 2, 3]);
  assert.ok(r.every((x) => x.threadId === threadId));
});

test('fresh threads: never this one, even for one worker', async () => {
  const r = await runJobs<Where>(jobs([1, 2]), { workers: 1, freshThreads: true });
  assert.equal(r.map((x) => x.input), [1, 2]);
  assert.ok(r.every((x) => x.threadId !== threadId));
});

test('a JobPool keeps its threads from one batch to the next, results in job order', async () => {
  const pool = new JobPool({ workers: 2 });
  try {
    const first = await pool.run<Where>(jobs([1, 2, 3, 4, 5, 6]));
    const second = await pool.run<Where>(jobs([7, 8, 9, 10, 11, 12]));
    assert.equal(first.map((x) => x.input), [1, 2, 3, 4, 5, 6]);
    assert.equal(second.map((x) => x.input), [7, 8, 9, 10, 11, 12]);
    // A thread's id is never reused: new threads for the second batch would bring new ids.
    const threads = new Set([...first, ...second].map((x) => x.threadId));
    assert.ok(!threads.has(threadId), 'on worker threads');
    assert.ok(threads.size <= 2, `both batches on the pool's two threads: ${[...threads].join(', ')}`);
  } finally {
    await pool.close();
  }
});

test('startWhile: the jobs that started, a prefix; onResult told of each', async () => {
  let asked = 0;
  const told: number[] = [];
  const r = await runJobs<Where>(jobs([1, 2, 3, 4]), { workers: 1, startWhile: () => ++asked <= 2, onResult: (i) => void told.push(i) });
  assert.equal(r.map((x) => x.input), [1, 2]);
  assert.equal(told, [0, 1]);
});

test.run();
