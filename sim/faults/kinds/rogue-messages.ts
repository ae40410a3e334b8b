// Fault `rogue-messages`: a confused or faulty peer puts frames on the wire to
// one array's controller (../rogue-peer.ts builds them): garbage, fields out
// of range, message types the receiver never takes, answers to requests
// nobody made, and — from a stranger outside the installation — well-formed
// requests. Each must be refused or dropped, never acted on (docs/PROTOCOL.md,
// *Messages*). Any network.
//
// Parameters: `array` (the receiver); `count` (frames, 1 … 100 000, one every
// 50 µs, drawn from stream faults/rogue/<array>); `from` (default a stranger;
// an array of the installation: frames invalid in its name).
// Records: nothing in the world; the probe malformed-frame-dropped for each
// frame that does not decode. Coverage family rogue; no swarm family.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';
import { sendRogueFrames } from '../rogue-peer.js';

export const rogueMessages = defineKind({
  schema: z
    .strictObject({
      at,
      after,
      do: z.literal('rogue-messages'),
      array: array.describe('the array whose controller receives them'),
      count: z.int().min(1).max(100_000).describe('how many frames (drawn from stream faults/rogue/<array>), one every 50us'),
      from: z.string().optional().describe('the sender: an array of the installation (frames invalid in its name) or, by default, a stranger outside it'),
    })
    .describe('a confused or faulty peer: malformed frames, fields out of range, message types the receiver never takes, answers to no request, and (from a stranger) well-formed requests — each must be refused or dropped, never acted on'),
  code: 16,
  family: 'rogue',
  inject: (f, ctx) => sendRogueFrames(ctx.engine, ctx.world, f),
});
