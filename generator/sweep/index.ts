// Design-space exploration: grids of accelerator specs × workloads → resources, predicted cycles,
// Pareto fronts, reports; sharded runs and their merge.
export {
  expandGrid,
  loadGridFile,
  paramLabels,
  parseGrid,
  pointCount,
  specLeaves,
  SWEEP_FORMAT,
  variedPaths,
  type Axis,
  type PointDef,
  type SweepGrid,
  type SweepGridInput,
  type WorkloadBuilder,
  type WorkloadInput,
} from './grid.ts';
export { prepareWorkloads, type PreparedWorkload } from './workloads.ts';
export { evaluatePoint, pointKey, predictWorkload, unsupportedReason, type Steps } from './evaluate.ts';
export { inShard, parseShard, runSweep, SweepToolError, writeOutputs, type RunCounters, type Shard, type SweepOptions, type SweepRun } from './run.ts';
export { mergeSweeps, type MergeResult } from './merge.ts';
export { computePareto, paretoFront, resultsCsv, resultsJson, RESULTS_FORMAT, type PointResult, type SweepResults } from './results.ts';
export { renderReport } from './report.ts';
export { slurmScripts, writeSlurmScripts, type SlurmOptions } from './slurm.ts';
export { formatDuration, pointSummary } from './progress.ts';
