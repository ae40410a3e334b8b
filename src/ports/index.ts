export type { BlockDevice, IoError, IoErrorKind, ReadResult, WriteResult } from './block-device.js';
export type { Clock, Micros, Timer } from './clock.js';
export type { MessageHandler, NodeId, Transport } from './transport.js';
export type { Probe } from './probe.js';
export type { Buggify } from './buggify.js';
