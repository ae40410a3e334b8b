// When a host write is acknowledged (DRBD's protocols A/C are the same idea).
//
// parity-durable — after the local write AND the parity array has applied the
//                  delta durably: a single failure can never lose an
//                  acknowledged write. The default.
// local-write    — after the local write only: lower latency, but until the
//                  delta is applied a failure of this array loses the write
//                  (the window of vulnerability the checker then allows).

export type AckPolicy = 'parity-durable' | 'local-write';
