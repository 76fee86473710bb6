// Know the clock: (1) iCE40 place and route (nextpnr-ice40 --hx8k, seed 1) of every module of the
// tiny preset that fits and of the smallest whole accelerator (ICE40_SPEC), each beside the static
// estimate of the same netlist with iCE40 delays — the calibration of the method; (2) the 7-series
// estimate (static timing of the synth_xilinx netlist, speed grades -1/-2, slow…fast nets) of the
// fpga and server presets, with the path that limits each. `npm run bench -- timing`;
// SPARSEFORGE_TIMING_PRESETS=fpga limits (2) to the named presets (server takes many minutes); a
// name `preset+knob` is the preset with a pipelining knob on (KNOBS below: fpga+comparePipeline is
// the before/after of mapping.comparePipeline). SPARSEFORGE_TIMING_ICE40=0 skips (1) and keeps the
// iCE40 rows and the other presets' rows of the previous bench/results/timing.json (its date kept).
// (3) The pipelining knobs matrix.treePipeline and postprocess.pipelineStages (`+treePipeline`,
// `+pipelineStages`: at their maximum) change the matrix unit and the post-processing only: those
// two are synthesized alone (`--top`), knobs off and on, for the presets in
// SPARSEFORGE_TIMING_MODULES (default fpga,server; rows of presets not rerun are kept).
import { presets, type PresetName } from '../generator/dsl/index.ts';
import { configHash } from '../generator/dsl/derive/index.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { emitAccelerator, writeEmitted } from '../generator/emit/index.ts';
import { PROJECT_ROOT } from '../generator/emit/render.ts';
import { fmaxRange } from '../generator/synth/estimate.ts';
import { ICE40_SPEC, placeAndRoute, placeAndRouteSpec, type Ice40Result } from '../generator/synth/ice40.ts';
import { synthesize } from '../generator/synth/yosys.ts';
import { machine, target, type Bench, type BenchResult } from './harness.ts';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CornerEstimate } from '../generator/synth/estimate.ts';

/** Pipelining knobs a `preset+knob` name turns on (same module names as the preset). */
const KNOBS: Record<string, (s: AcceleratorSpec) => AcceleratorSpec> = {
  comparePipeline: (s) => ({ ...s, mapping: { ...s.mapping, comparePipeline: true } }),
  // Every adder-tree level registered.
  treePipeline: (s) => ({ ...s, matrix: { ...s.matrix, treePipeline: Math.floor(Math.log2(s.matrix.rows) / 2) } }),
  pipelineStages: (s) => ({ ...s, postprocess: { ...s.postprocess, pipelineStages: s.postprocess.requant ? 3 : 0 } }),
};

/** Yosys on a whole top of a loaded shared machine can take well over the default half hour. */
const LONG_MS = 4 * 3600_000;

/** Fmax ranges at -1 and -2 of the top and of every module's worst path. */
function timingSummary(t: CornerEstimate[]) {
  const at = (g: 1 | 2, c: 'slow' | 'fast') => t.find((x) => x.grade === g && x.corner === c)!;
  const slow2 = at(2, 'slow');
  const mhz = (ns: number): number => Number((1000 / ns).toFixed(1));
  return {
    fmaxMHz: { '-1': fmaxRange(t, 1), '-2': fmaxRange(t, 2) },
    critical: slow2.worst,
    modules: Object.fromEntries(
      Object.entries(slow2.modules)
        .sort(([, a], [, b]) => b.delayNs - a.delayNs)
        .map(([m, x]) => {
          const range = (g: 1 | 2) => ({ min: mhz(at(g, 'slow').modules[m]!.delayNs), max: mhz(at(g, 'fast').modules[m]!.delayNs) });
          return [m, { fmaxMHz: { '-1': range(1), '-2': range(2) }, delayNs: x.delayNs, levels: x.levels, start: x.start, end: x.end, cellTypes: x.cellTypes }];
        }),
    ),
  };
}

function specOf(name: string): AcceleratorSpec {
  const [preset, ...knobs] = name.split('+');
  if (!(preset! in presets)) throw new Error(`SPARSEFORGE_TIMING_PRESETS: unknown preset ${preset}`);
  return knobs.reduce((s, k) => {
    const f = KNOBS[k];
    if (!f) throw new Error(`SPARSEFORGE_TIMING_PRESETS: unknown knob ${k} in ${name} (known: ${Object.keys(KNOBS).join(', ')})`);
    return f(s);
  }, presets[preset as PresetName] as AcceleratorSpec);
}

const RESULTS_FILE = join(PROJECT_ROOT, 'bench', 'results', 'timing.json');

interface Row {
  design: string;
  module: string;
  fits: boolean;
  error?: string;
  routedMHz?: number;
  estimateMHz?: { slow: number; fast: number };
  /** routed / estimate at each end: inside the range when slow ≤ 1 ≤ fast… */
  ratio?: { toSlow: number; toFast: number };
  inRange?: boolean;
  lcs?: { used: number; total: number };
  rams?: { used: number; total: number };
  estimatePath?: { start: string; end: string; levels: number };
  elapsedMs?: number;
}

function row(design: string, r: Ice40Result): Row {
  const e = r.estimate.fmaxMHz;
  return {
    design,
    module: r.module,
    fits: true,
    routedMHz: r.fmaxMHz,
    estimateMHz: { slow: Number(e.slow.toFixed(1)), fast: Number(e.fast.toFixed(1)) },
    ratio: { toSlow: Number((r.fmaxMHz / e.slow).toFixed(3)), toFast: Number((r.fmaxMHz / e.fast).toFixed(3)) },
    inRange: r.fmaxMHz >= e.slow && r.fmaxMHz <= e.fast,
    lcs: r.lcs,
    rams: r.rams,
    estimatePath: { start: r.estimate.start, end: r.estimate.end, levels: r.estimate.levels },
    elapsedMs: Math.round(r.elapsedMs),
  };
}

async function emitToCache(spec: AcceleratorSpec): Promise<string> {
  const e = emitAccelerator(spec);
  const dir = join(PROJECT_ROOT, '.cache', 'rtl', `${e.spec.name}-${configHash(e.spec).slice(0, 12)}`);
  await writeEmitted(e.files, dir);
  return dir;
}

interface PreviousReport {
  date: string;
  workload: { ice40: Row[]; calibration: unknown; xc7: Record<string, unknown>; pipelineModules?: Record<string, unknown> };
  results: BenchResult[];
}

const bench: Bench = {
  name: 'timing',
  description: 'iCE40 place and route vs the static estimate (calibration); 7-series estimated Fmax of the fpga and server presets',
  async run(log) {
    const previous = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as PreviousReport) : undefined;
    const ice40 = process.env.SPARSEFORGE_TIMING_ICE40 !== '0';
    if (!ice40 && !previous) throw new Error('SPARSEFORGE_TIMING_ICE40=0 keeps the iCE40 rows of bench/results/timing.json, which does not exist');
    const rows: Row[] = ice40 ? [] : previous!.workload.ice40;
    // The modules of the issue's list, from the iCE40 accelerator (all of them fit, since the
    // whole accelerator does), and two of the tiny preset (its post-processing, with four 32×16-bit
    // requantization multipliers in logic cells, does not fit an HX8K).
    const ice40Dir = await emitToCache(ICE40_SPEC);
    const jobs: [string, string, string][] = [
      ...['matrix_col', 'matrix_unit', 'map_lane', 'map_downsample', 'map_engine', 'postproc', 'accel_scatter', 'accel_gather', 'accel_mapbuf'].map(
        (m): [string, string, string] => ['ice40', ice40Dir, `sf_ice40_${m}`],
      ),
      ...['matrix_col', 'map_lane'].map((m): [string, string, string] => ['tiny', join(PROJECT_ROOT, 'rtl-out', 'sf_tiny'), `sf_tiny_${m}`]),
    ];
    for (const [design, dir, module] of ice40 ? jobs : []) {
      try {
        rows.push(row(design, await placeAndRoute(dir, module, { seed: 1 })));
      } catch (e) {
        rows.push({ design, module, fits: false, error: (e as Error).message.split('\n')[0]! });
      }
      const x = rows.at(-1)!;
      log(`${design} ${module}: ${x.fits ? `routed ${x.routedMHz} MHz, estimate ${x.estimateMHz!.slow}…${x.estimateMHz!.fast} MHz, ${x.lcs!.used} LC` : x.error}`);
    }
    if (ice40) {
      const small = await placeAndRouteSpec(ICE40_SPEC, { seed: 1, bitstream: join(PROJECT_ROOT, '.cache', 'sf_ice40.bin') });
      rows.push(row('ice40', small));
      log(`sf_ice40_accel: routed ${small.fmaxMHz} MHz, estimate ${small.estimate.fmaxMHz.slow.toFixed(1)}…${small.estimate.fmaxMHz.fast.toFixed(1)} MHz, ${small.lcs.used}/${small.lcs.total} LC, ${small.rams.used} RAM; bitstream written`);
    }
    const routed = rows.filter((r) => r.fits);
    const inRange = routed.filter((r) => r.inRange).length;
    const meanAbs = (f: (r: Row) => number) => routed.reduce((s, r) => s + Math.abs(f(r) - 1), 0) / routed.length;

    const names = (process.env.SPARSEFORGE_TIMING_PRESETS ?? 'fpga,fpga+comparePipeline,server').split(',').filter((n) => n !== '');
    const specs = names.map(specOf);
    // Rows of presets not rerun are kept (with the date of the run that measured them).
    const keep = (n: string): boolean => !ice40 && !names.includes(n);
    const xc7: Record<string, unknown> = Object.fromEntries(Object.entries(previous?.workload.xc7 ?? {}).filter(([n]) => keep(n)).map(([n, v]) => [n, { measured: previous!.date, ...(v as object) }]));
    const results: BenchResult[] = (previous?.results ?? []).filter((r) => keep(r.name.split(' ')[0]!));
    for (const [i, p] of names.entries()) {
      const t0 = performance.now();
      const r = await synthesize(specs[i]!, { timing: true, timeoutMs: LONG_MS });
      const ms = performance.now() - t0;
      const t = r.timing!;
      const slow2 = t.find((c) => c.grade === 2 && c.corner === 'slow')!;
      const worstModule = Object.entries(slow2.modules).sort(([, a], [, b]) => b.delayNs - a.delayNs);
      xc7[p] = {
        fmaxMHz: { '-1': fmaxRange(t, 1), '-2': fmaxRange(t, 2) },
        critical: slow2.worst,
        modules: Object.fromEntries(worstModule.map(([m, x]) => [m, { delayNs: x.delayNs, fmaxMHz: Number((1000 / x.delayNs).toFixed(1)), levels: x.levels, start: x.start, end: x.end, cellTypes: x.cellTypes }])),
        resources: { luts: r.total.luts, ffs: r.total.ffs, dsp48: r.total.dsp48, ramb18: r.total.bram.ramb18, ramb36: r.total.bram.ramb36 },
        ...(p.includes('+') ? { knobs: p.split('+').slice(1), cycleCost: 'see README, Knowing the clock' } : {}),
        synthAndStaSeconds: Math.round(ms / 1000),
        cached: r.modules.every((m) => m.cached),
      };
      log(`${p}: xc7 -2 estimated Fmax ${fmaxRange(t, 2).min} … ${fmaxRange(t, 2).max} MHz (${Math.round(ms / 1000)} s); critical ${slow2.worst.start} → ${slow2.worst.end}, ${slow2.worst.levels} levels`);
      const g2 = fmaxRange(t, 2);
      const m = { wallMs: ms, cpuMs: ms, runs: 1, warmup: 0 };
      results.push({ name: `${p} Fmax xc7-2 (slow nets)`, value: g2.min, wallValue: g2.min, unit: 'MHz', work: 0, workUnit: 'estimate', timing: m });
      results.push({ name: `${p} Fmax xc7-2 (fast nets)`, value: g2.max, wallValue: g2.max, unit: 'MHz', work: 0, workUnit: 'estimate', timing: m });
    }

    // (3) The matrix unit and the post-processing alone, pipelining knobs off and on.
    const modNames = (process.env.SPARSEFORGE_TIMING_MODULES ?? 'fpga,server').split(',').filter((n) => n !== '') as PresetName[];
    const pipelineModules: Record<string, unknown> = Object.fromEntries(
      Object.entries(previous?.workload.pipelineModules ?? {}).filter(([n]) => !modNames.includes(n as PresetName)).map(([n, v]) => [n, { measured: previous!.date, ...(v as object) }]),
    );
    for (const p of modNames) {
      const off = presets[p];
      const on = KNOBS.pipelineStages!(KNOBS.treePipeline!(off));
      const entry: Record<string, unknown> = { knobs: { 'matrix.treePipeline': on.matrix.treePipeline, 'postprocess.pipelineStages': on.postprocess.pipelineStages } };
      for (const [label, spec] of [['off', off], ['on', on]] as const) {
        const mods: Record<string, unknown> = {};
        for (const m of ['matrix_unit', 'postproc']) {
          const t0 = performance.now();
          const r = await synthesize(spec, { top: `${spec.name}_${m}`, timing: true, timeoutMs: LONG_MS });
          const ms = performance.now() - t0;
          const sum = timingSummary(r.timing!);
          mods[m] = { ...sum, resources: { luts: r.total.luts, ffs: r.total.ffs, dsp48: r.total.dsp48 }, synthAndStaSeconds: Math.round(ms / 1000) };
          log(`${p} knobs ${label}, ${spec.name}_${m}: xc7 -2 ${sum.fmaxMHz['-2'].min} … ${sum.fmaxMHz['-2'].max} MHz, -1 ${sum.fmaxMHz['-1'].min} … ${sum.fmaxMHz['-1'].max} MHz; ${sum.critical.start} → ${sum.critical.end}, ${sum.critical.levels} levels (${Math.round(ms / 1000)} s)`);
        }
        entry[label] = mods;
      }
      pipelineModules[p] = entry;
    }

    const fpga = xc7.fpga as { fmaxMHz: { '-2': { min: number } } } | undefined;
    const targets = fpga ? [target('fpga preset estimated Fmax, xc7 -2, slow nets', 'fpga Fmax xc7-2 (slow nets)', '>=', 250, 'MHz', fpga.fmaxMHz['-2'].min, fpga.fmaxMHz['-2'].min)] : [];
    return {
      ...machine(),
      ...(ice40 ? {} : { ice40From: previous!.date }),
      method:
        'iCE40: Yosys synth_ice40 of the module in a register wrapper (every port bit through a flip-flop) → nextpnr-ice40 --hx8k --package ct256 --seed 1, post-route "Max frequency"; ' +
        'the estimate is generator/synth/sta.ts with iCE40 delays (icestorm timings_hx8k.txt) over the same netlist, slow…fast net corners. ' +
        '7-series: Yosys synth_xilinx -noiopad, flattened but for the replicated matrix column (timed once, as a cell at each instance), sta.ts with the 7-series table of generator/synth/delays.ts (speed grade -2 = -1 × 0.84). ' +
        'pipelineModules: the same estimate of <name>_matrix_unit and <name>_postproc synthesized alone, knobs off and at their maximum.',
      workload: {
        ice40: rows,
        calibration: ice40 ? {
          routed: routed.length,
          inEstimateRange: inRange,
          meanAbsRatioToSlow: Number(meanAbs((r) => r.ratio!.toSlow).toFixed(3)),
          meanAbsRatioToFast: Number(meanAbs((r) => r.ratio!.toFast).toFixed(3)),
        } : previous!.workload.calibration,
        xc7,
        pipelineModules,
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
