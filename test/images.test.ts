// After every shipped scenario — double failures, latent errors and unlimited
// faults included — the arrays' images on disk hold the invariant the product
// exists for: every stripe of parity is the XOR of the group's primaries. The
// XOR is done here, over the image files `run --dump-images` writes, byte by
// byte: nothing of the controllers' or the checker's code takes part.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { xorsimHere } from './in-process-cli.js';

interface Manifest {
  readonly payloadBytes: number;
  readonly arrays: readonly { name: string; role: 'primary' | 'parity'; blocks: number; state: string; file: string; lost: number[]; damaged: number[] }[];
}

const scenarios = readdirSync(new URL('../scenarios/', import.meta.url))
  .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
  .sort();

/** Stripes (block numbers) where parity's image is not the XOR of the member primaries' images. */
function brokenStripes(dir: string, manifest: Manifest): number[] {
  const bytes = manifest.payloadBytes;
  const parity = manifest.arrays.find((a) => a.role === 'parity')!;
  const q = readFileSync(join(dir, parity.file));
  const expected = new Uint8Array(q.length);
  for (const a of manifest.arrays) {
    if (a.role !== 'primary' || a.state !== 'member') continue;
    const image = readFileSync(join(dir, a.file));
    for (let i = 0; i < image.length; i++) expected[i]! ^= image[i]!;
  }
  const broken: number[] = [];
  for (let k = 0; k < parity.blocks; k++) {
    for (let i = k * bytes; i < (k + 1) * bytes; i++) {
      if (q[i] !== expected[i]) {
        broken.push(k);
        break;
      }
    }
  }
  return broken;
}

for (const file of scenarios) {
  test(`${file}: after the run, parity's image is the XOR of the members' images, every stripe`, async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'xorsim-images-')), 'images');
    const r = await xorsimHere('run', `scenarios/${file}`, '--seed', '1', '--quick', '--dump-images', dir);
    assert.is(r.code, 0, r.stdout + r.stderr);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    for (const a of manifest.arrays) if (a.state !== 'outside') assert.equal(a.damaged, [], `${a.name}: damage left on the media at the end`);
    assert.ok(manifest.arrays.every((a) => a.state !== 'failed' && a.state !== 'restoring'));
    assert.equal(brokenStripes(dir, manifest), [], 'stripes where Q ≠ XOR of the members');
  });
}

test('lost blocks are listed, hold zeros, and their stripes hold the invariant too (double-failure)', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'xorsim-images-')), 'images');
  const r = await xorsimHere('run', 'scenarios/double-failure.json', '--seed', '2', '--quick', '--dump-images', dir);
  assert.is(r.code, 0, r.stdout);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const lost = manifest.arrays.filter((a) => a.lost.length > 0);
  assert.equal(
    lost.map((a) => a.name),
    ['p1', 'p2'],
  );
  for (const a of lost) {
    const image = readFileSync(join(dir, a.file));
    for (const k of a.lost) assert.ok(image.subarray(k * manifest.payloadBytes, (k + 1) * manifest.payloadBytes).every((b) => b === 0), `${a.name}[${k}] holds zeros`);
  }
  assert.equal(brokenStripes(dir, manifest), []);
});

test.run();
