// Fault `join`: a primary outside the parity group (`"member": false`) joins
// it (claims 3, 4; World.join): parity merges its blocks while its host keeps
// writing.
//
// Parameters: `array` — a primary that starts outside the group.
// Records: its membership `joining`, then `member` when parity has merged it;
// trigger event `joining` (then `joined`). Coverage family join; no swarm
// family.
import { z } from 'zod';
import { after, array, at } from '../entry-fields.js';
import { defineKind } from '../fault-kind.js';

export const join = defineKind({
  schema: z.strictObject({ at, after, do: z.literal('join'), array }).describe('a primary outside the parity group joins it (claims 3, 4)'),
  code: 5,
  family: 'join',
  check(f, installation) {
    if (installation.primaries.find((p) => p.name === f.array)?.member !== false) return { path: 'array', message: `"${f.array}" cannot join: only a primary with "member": false can` };
    return undefined;
  },
  inject(f, ctx) {
    ctx.world.join(f.array);
    ctx.event('joining', f.array);
  },
});
