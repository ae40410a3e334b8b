// xorsim as a library: `import { loadScenario, run, explore } from 'xorsim'`.
// Everything public is exported here and documented in docs/API.md; the rest
// of the package is internal and may change in any release.
//
// lib/ sits between the command line and the simulation (bin → cli → lib →
// reports → sim → src): it reads scenario files, and unlike cli/ it never
// prints or exits — bad input is an InputError.
export { InputError, type InputProblem } from './input-error.js';
export { type LoadOptions, type Scenario, type ScenarioInput, loadScenario, shippedScenario, shippedScenarioNames } from './scenario.js';
export { type RunOptions, type RunResult, run } from './run.js';
export { type ExploreOptions, explore, isClean } from './explore.js';
export { type ShrinkOptions, type ShrinkOutcome, type ShrinkResult, type ShrinkStep, shrink } from './shrink.js';

export { PROTOCOL_VARIANTS, type ProtocolVariant } from '../src/protocol/variant.js';
export { VERDICTS, type Verdict, type Violation, type ViolationKind } from '../sim/checker/violation.js';
export type { LatencySummary } from '../sim/runner/run-report.js';
export type { SwarmDraw } from '../sim/scenario/prepare/swarm.js';
export type { SwarmFamily, SwarmKnob } from '../sim/scenario/swarm-schema.js';
export type { ResolvedScenario, ArraySpec } from '../sim/scenario/resolve.js';
export type { ExploreProgress } from '../sim/explore/explore.js';
export type { Shard } from '../sim/explore/seeds.js';
export type { SeedResult, GeneratedRun } from '../sim/explore/seed-job.js';
export type { Determinism, Exploration, ExploreSettings, Mismatch, ScenarioRuns, SeedRange, Totals } from '../sim/explore/result.js';

// Bring your own controllers (`--controllers FILE`, the `controllers` option): the interface the
// built-in controllers implement, the ports they are given, and the messages the network carries.
export type {
  CommonConfig,
  ControllerModule,
  ControllerPorts,
  GroupMember,
  ParityConfig,
  ParityPorts,
  ParityReports,
  ParityRole,
  PrimaryConfig,
  PrimaryPorts,
  PrimaryReports,
  PrimaryRole,
} from '../src/controller-api.js';
export type { BlockDevice, IoError, IoErrorKind, ReadResult, WriteResult } from '../src/ports/block-device.js';
export type { Clock, Micros, Timer } from '../src/ports/clock.js';
export type { DurableLog, LogContents, LogRecord } from '../src/ports/durable-log.js';
export type { MessageHandler, NodeId, Transport } from '../src/ports/transport.js';
export type { Probe } from '../src/ports/probe.js';
export type { Buggify } from '../src/ports/buggify.js';
export type { Message, MessageType } from '../src/protocol/messages.js';
export type { HostError, HostReadResult, HostWriteResult } from '../src/primary/host-io.js';
export type { AckPolicy } from '../src/protocol/ack-policy.js';
