// Every report, by name.
import { planCapacity } from './capacity/capacity-report.js';
import { planLatency } from './latency/latency-report.js';
import type { ReportOptions, ReportPlan } from './model/plan.js';
import type { ReportName } from './model/report.js';
import { planReliability } from './reliability/reliability-report.js';

export const PLANNERS: Record<ReportName, (options: ReportOptions) => ReportPlan> = {
  latency: planLatency,
  capacity: planCapacity,
  reliability: planReliability,
};
