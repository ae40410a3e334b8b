// A full garbage collection on demand, for memory figures: without it, heap
// size says as much about when the collector last ran as about what is live.
// `node --expose-gc` provides `gc`; otherwise V8 is asked for it at run time
// (the flag is honoured by contexts created after it is set).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | undefined;

export function fullGc(): void {
  if (collect === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed !== undefined) collect = exposed;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  // Twice: objects with finalizers (and what only they kept) go in the second.
  collect();
  collect();
}
