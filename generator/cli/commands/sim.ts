// `sparseforge sim`: run a layer case on the complete accelerator's RTL (Verilator) through the
// host driver, compare it with the golden model, and report cycles and utilisation.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { resolveSpec } from '../../dsl/load.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { writeFileAtomic } from '../../io/files.ts';
import { readLayerCaseFile } from '../../io/layer-case.ts';
import { formatComparison, writeLayerResultFile } from '../../io/layer-result.ts';
import { FieldError } from '../../model/errors.ts';
import type { LayerCase } from '../../model/types.ts';
import type { BuildProfile } from '../../sim/build.ts';
import { runAccelCase, type AccelRunOptions, type AccelRunResult, type PassGroupingStats, type TilingStats } from '../../sim/accel/driver.ts';
import { caseMismatchReport, mismatchCycle, traceCaseMismatch } from '../../sim/accel/trace.ts';
import { TILING_POLICIES, type TilingPolicy } from '../../model/tile-choice.ts';
import { PASS_GROUPINGS, type PassGrouping } from '../../model/pass-grouping.ts';
import type { DenseLayerPolicy } from '../../sim/accel/sparse.ts';
import { specOptions, type SpecArgs } from './generate.ts';

export interface SimRunArgs extends SpecArgs {
  output?: string;
  stats?: string;
  seed: number;
  backpressure: number;
  profile: string;
  tilePoints?: number;
  denseLayers: string;
  passGrouping: string;
  tiling: string;
  trace?: string;
  json: boolean;
}

/** The options `sim` and `run` share. */
export function simOptions<T>(y: Argv<T>): Argv<T & SimRunArgs> {
  return specOptions(y)
    .group(['preset', 'config', 'output', 'stats', 'backpressure', 'profile', 'tile-points', 'dense-layers', 'pass-grouping', 'tiling', 'trace', 'json'], 'Simulation:')
    .option('output', { alias: 'o', type: 'string', describe: 'write the RTL result (sparseforge.layer-result/1)', normalize: true })
    .option('stats', { type: 'string', describe: 'write cycles, utilisation and timings as JSON', normalize: true })
    .option('backpressure', {
      type: 'number',
      default: 0,
      describe: 'probability (0 … 1) of a stall per cycle on every stream and AXI-Lite response',
    })
    .option('profile', { type: 'string', choices: ['test', 'speed'], default: 'test', describe: 'Verilator build: quick compile (test) or fast simulation (speed)' })
    .option('tile-points', { type: 'number', describe: 'at most this many input points per tile (forces tiling)' })
    .option('dense-layers', {
      type: 'string',
      choices: ['refuse', 'pad'],
      default: 'refuse',
      describe: 'N:M accelerators: refuse a layer that is not N:M sparse, or pad it to run at dense speed',
    })
    .option('pass-grouping', {
      type: 'string',
      choices: ['auto', ...PASS_GROUPINGS],
      default: 'auto',
      describe: 'the scheduler\'s pass grouping: auto = the fastest the cycle model predicts among the spec\'s gatherScatter.passGrouping',
    })
    .option('tiling', {
      type: 'string',
      choices: TILING_POLICIES,
      default: 'auto',
      describe: 'a tiled odd-k submanifold layer: halo tiles (each tile computes its halo outputs too), core-only tiles (a stride-1 transposed layer over each core, kernel mirrored), or auto = the faster the cycle model predicts',
    })
    .option('trace', {
      type: 'string',
      normalize: true,
      describe: 'write an FST waveform of the run to this .fst file (a --trace-fst build; without it, a mismatch reruns the case with a waveform and the report prints its path)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'print the statistics as JSON' }) as unknown as Argv<T & SimRunArgs>;
}

const pct = (v: number) => `${(100 * v).toFixed(1)} %`;

/** `offset-grouped (cycle model: bank 18900, offset 14627 predicted)`. */
export function groupingLine(g: PassGroupingStats): string {
  const name = g.policy === 'offset' ? 'offset-grouped (one weight tile per kernel offset across banks)' : 'bank by bank (a weight tile per pass)';
  const pred = Object.entries(g.predicted).map(([k, v]) => `${k} ${v}`).join(', ');
  const why = g.chosenBy === 'cycle model' ? `chosen by the cycle model: ${pred} cycles predicted` : g.chosenBy === 'only' ? 'the only policy of this spec' : 'forced';
  return `${name}; ${why}`;
}

/** `core-only tiles (…); chosen by the cycle model: halo 5321, core 4980 cycles predicted`. */
export function tilingLine(t: TilingStats): string {
  const name = t.plan === 'core' ? 'core-only tiles (a stride-1 transposed layer over each core, kernel mirrored: no halo output computed)' : 'halo tiles (each tile runs as the layer, its halo outputs computed and dropped)';
  const pred = Object.entries(t.predicted).map(([k, v]) => `${k} ${v}`).join(', ');
  const why = t.chosenBy === 'cycle model' ? `chosen by the cycle model: ${pred} cycles predicted` : 'forced';
  return `${name}; ${why}`;
}

/** `12 feature words after each first-pair weight tile (LAYER_TYPE.W0_BLOCK); chosen by the cycle model: 0 12392, 4 12379, … cycles predicted`. */
export function w0BlockLine(g: PassGroupingStats): string {
  const pred = Object.entries(g.w0Predicted).map(([k, v]) => `${k} ${v}`).join(', ');
  return `${g.w0Block} feature words after each first-pair weight tile (LAYER_TYPE.W0_BLOCK); ${pred ? `chosen by the cycle model: ${pred} cycles predicted` : 'forced'}`;
}

export function formatSimReport(r: AccelRunResult, label: string): string {
  const s = r.stats;
  const L = s.layer;
  const c = s.cycles;
  const lines = [
    `${label}: ${L.type} k=${L.kernelSize} s=${L.stride} ts=${L.inTensorStride}, ${L.inChannels} → ${L.outChannels} channels on ${s.spec}`,
    `points          ${s.pointsIn} in → ${s.pointsOut} out, ${s.mapEntries} map entries, ${s.macs} MACs, ${s.tiles} tile${s.tiles === 1 ? '' : 's'} (${s.hwLayers} hardware layer run${s.hwLayers === 1 ? '' : 's'})`,
    `cycles          ${c.total} from START to DONE${s.requant ? ' (requantized run)' : ''}: ${c.coordLoad} coordinate load, ${c.measured} measured`,
    `  breakdown     compute ${c.compute} rows${c.drainRows ? ` (${c.drainRows} drain)` : ''}, stall ${c.stall}, tail ${c.tail}; mapping ${c.mapping} (overlapped)`,
    `  map           ${s.mapSchedule.map === 'map-free' ? (L.type === 'transposed' ? 'map-free transposed (outputs walked by parent, no merge)' : 'map-free downsampling (no merge)') : `merge, ${s.mapSchedule.jobOrder} jobs`}`,
    ...(s.tiling ? [`  tiles         ${tilingLine(s.tiling)}`] : []),
    `  passes        ${groupingLine(s.passGrouping)}`,
    ...(s.passGrouping.w0Block > 0 || Object.keys(s.passGrouping.w0Predicted).length > 0 ? [`  w0 block      ${w0BlockLine(s.passGrouping)}`] : []),
    `  end to end    ${c.endToEnd} harness cycles from writing START to reading BUSY = 0${s.sweepCycles ? ` (${s.sweepCycles} of them epoch-wrap sweeps, cycle model)` : ''}`,
    `compute bound   ${s.computeBound} cycles (DESIGN.md §3)`,
    `utilisation     ${pct(s.utilisation)} of the measured cycles (${pct(s.utilisationTotal)} of START→DONE)`,
    `simulation      ${s.sim.cycles} cycles in ${s.sim.simCpuMs} ms CPU (${Math.round(s.sim.cyclesPerSecond / 1000)} k cycles/s), ${s.sim.wallMs} ms wall; ` +
      `build ${s.build.cached ? 'cached' : `${s.build.buildMs} ms`} (${s.build.profile})`,
    s.match ? 'RTL matches the golden model: every output coordinate, accumulator and feature' : `RTL MISMATCH (${s.mismatches}):\n${formatComparison(r.comparison)}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** What a `sim` / `run` produced: the run, its printed report, and on a mismatch its PyMTL-style lines. */
export interface SimOutcome {
  r: AccelRunResult;
  report: string;
  /** The first mismatch (case, seed, cycle, coordinate, channel, expected, actual, waveform, commands). */
  mismatch?: string;
  /** The --trace waveform written. */
  waveform?: string;
}

/**
 * Run the case, write -o / --stats / --trace, and on a mismatch repeat the run with a waveform
 * (unless --trace already made one). `test.expectOverride` replaces the golden result (tests of the
 * mismatch report only).
 */
export async function simulateCase(spec: AcceleratorSpec, c: LayerCase, a: SimRunArgs, label: string, where: string, test: Pick<AccelRunOptions, 'expectOverride'> = {}, say: (line: string) => void = () => {}): Promise<SimOutcome> {
  if (!(a.backpressure >= 0 && a.backpressure < 1)) throw new FieldError('--backpressure', `must be in [0, 1), got ${a.backpressure}`);
  if (a.trace !== undefined && !a.trace.endsWith('.fst')) throw new FieldError('--trace', `the waveform is FST: name a .fst file, got ${a.trace}`);
  const opts: AccelRunOptions = {
    seed: a.seed, stall: a.backpressure, profile: a.profile as BuildProfile, maxTilePoints: a.tilePoints, denseLayers: a.denseLayers as DenseLayerPolicy,
    passGrouping: a.passGrouping as PassGrouping | 'auto', tiling: a.tiling as TilingPolicy, trace: a.trace !== undefined, ...test,
  };
  const r = await inFileAsync(where, () => runAccelCase(spec, c, opts));
  let waveform: string | undefined;
  if (a.trace !== undefined) {
    if (!r.waveform || (await stat(r.waveform)).size === 0) throw new Error(`--trace: the harness wrote no waveform (${r.run.command})`);
    await mkdir(dirname(a.trace), { recursive: true });
    await copyFile(r.waveform, a.trace);
    waveform = resolve(a.trace);
  }
  if (a.output) await writeLayerResultFile(a.output, r.result);
  if (a.stats) {
    await mkdir(dirname(a.stats), { recursive: true });
    await writeFileAtomic(a.stats, `${JSON.stringify(r.stats, null, 2)}\n`);
  }
  let mismatch: string | undefined;
  if (!r.stats.match) {
    const first = r.comparison.mismatches[0]!;
    if (!waveform) say(`${label}: RTL mismatch; repeating the harness run with a waveform (--trace-fst build)`);
    const trace = waveform ? undefined : await traceCaseMismatch(spec, c, opts, first);
    mismatch = caseMismatchReport({
      caseName: label, seed: a.seed, xSeed: r.run.xSeed, stall: a.backpressure, mismatch: first, cycle: mismatchCycle(r, first),
      command: r.run.command, ...(trace ? { trace } : {}), ...(waveform ? { waveform } : {}),
    });
  }
  const report = a.json ? `${JSON.stringify(r.stats, null, 2)}\n` : `${formatSimReport(r, label)}${waveform ? `waveform        ${waveform} (FST)\n` : ''}`;
  return { r, report, mismatch, waveform };
}

export async function simulateAndReport(spec: AcceleratorSpec, c: LayerCase, a: SimRunArgs, label: string, where: string): Promise<void> {
  const out = await simulateCase(spec, c, a, label, where, {}, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(out.report);
  if (out.mismatch) {
    process.stderr.write(`MISMATCH ${out.mismatch}\n`);
    process.exitCode = 1;
  }
}

/** Like io/files.ts inFile for an async step: a FieldError names the case it came from. */
export async function inFileAsync<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FieldError) {
      const err = new FieldError(e.field, e.rule);
      err.message = `${path}: ${e.message}`;
      throw err;
    }
    throw e;
  }
}

export const simCommand: CommandModule<object, SimRunArgs & { case: string }> = {
  command: 'sim <case>',
  describe: 'Run a layer case on the complete accelerator (Verilator) and check it against the golden model',
  builder: (y: Argv<object>) =>
    simOptions(y)
      .usage(
        '$0 sim CASE.json (--preset P | --config FILE) [-o RESULT.json] [--stats STATS.json] [--seed N] [--backpressure P]\n' +
          '    [--trace WAVE.fst]\n\n' +
          'Builds <name>_accel with Verilator (cached in .cache/verilator), lets the host driver cut the case into\n' +
          'tiles if it does not fit on chip, streams every tile in, programs the registers, collects the outputs and\n' +
          'compares the merged result with the golden model. Prints cycles per phase, the compute lower bound and the\n' +
          'utilisation (docs/accelerator.md defines them). Exit status 1 on a mismatch, 2 on a case the accelerator\n' +
          'cannot run (the message names the field). --trace W.fst writes an FST waveform of the run; on a mismatch\n' +
          'without it the run is repeated with a waveform, and the mismatch report (case, seed, cycle, coordinate,\n' +
          'channel, expected, actual) prints its path.',
      )
      .positional('case', { type: 'string', describe: 'layer-case file (sparseforge.layer-case/1)', normalize: true })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the random stalls' })
      .example('$0 sim bunny.json --preset fpga --stats bunny.stats.json', 'cycles and utilisation on the fpga accelerator')
      .example('$0 sim bunny.json --preset tiny --backpressure 0.3', 'tiled, with random stalls on every stream')
      .example('$0 sim bunny.json --preset fpga --trace bunny.fst', 'with an FST waveform of the run (GTKWave)') as unknown as Argv<
      SimRunArgs & { case: string }
    >,
  handler: async (a) => {
    const spec = await resolveSpec(a);
    const { inWidth, weightWidth, accWidth, outWidth } = spec.arithmetic;
    const c = await readLayerCaseFile(a.case, { inWidth, weightWidth, accWidth: Math.min(accWidth, 48), outWidth });
    await simulateAndReport(spec, c, a, a.case, a.case);
  },
};

