// Know the clock: (1) iCE40 place and route (nextpnr-ice40 --hx8k, seed 1) of every module of the
// tiny preset that fits and of the smallest whole accelerator (ICE40_SPEC), each beside the static
// estimate of the same netlist with iCE40 delays — the calibration of the method; (2) the 7-series
// estimate (static timing of the synth_xilinx netlist, speed grades -1/-2, slow…fast nets) of the
// fpga and server presets, with the path that limits each. `npm run bench -- timing`;
// SPARSEFORGE_TIMING_PRESETS=fpga limits (2) to the named presets (server takes many minutes).
import { presets, type PresetName } from '../generator/dsl/index.ts';
import { configHash } from '../generator/dsl/derive/index.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { emitAccelerator, writeEmitted } from '../generator/emit/index.ts';
import { PROJECT_ROOT } from '../generator/emit/render.ts';
import { fmaxRange } from '../generator/synth/estimate.ts';
import { ICE40_SPEC, placeAndRoute, placeAndRouteSpec, type Ice40Result } from '../generator/synth/ice40.ts';
import { synthesize } from '../generator/synth/yosys.ts';
import { machine, target, type Bench, type BenchResult } from './harness.ts';
import { join } from 'node:path';

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

const bench: Bench = {
  name: 'timing',
  description: 'iCE40 place and route vs the static estimate (calibration); 7-series estimated Fmax of the fpga and server presets',
  async run(log) {
    const rows: Row[] = [];
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
    for (const [design, dir, module] of jobs) {
      try {
        rows.push(row(design, await placeAndRoute(dir, module, { seed: 1 })));
      } catch (e) {
        rows.push({ design, module, fits: false, error: (e as Error).message.split('\n')[0]! });
      }
      const x = rows.at(-1)!;
      log(`${design} ${module}: ${x.fits ? `routed ${x.routedMHz} MHz, estimate ${x.estimateMHz!.slow}…${x.estimateMHz!.fast} MHz, ${x.lcs!.used} LC` : x.error}`);
    }
    const small = await placeAndRouteSpec(ICE40_SPEC, { seed: 1, bitstream: join(PROJECT_ROOT, '.cache', 'sf_ice40.bin') });
    rows.push(row('ice40', small));
    log(`sf_ice40_accel: routed ${small.fmaxMHz} MHz, estimate ${small.estimate.fmaxMHz.slow.toFixed(1)}…${small.estimate.fmaxMHz.fast.toFixed(1)} MHz, ${small.lcs.used}/${small.lcs.total} LC, ${small.rams.used} RAM; bitstream written`);
    const routed = rows.filter((r) => r.fits);
    const inRange = routed.filter((r) => r.inRange).length;
    const meanAbs = (f: (r: Row) => number) => routed.reduce((s, r) => s + Math.abs(f(r) - 1), 0) / routed.length;

    const names = (process.env.SPARSEFORGE_TIMING_PRESETS ?? 'fpga,server').split(',').filter((n) => n !== '') as PresetName[];
    const xc7: Record<string, unknown> = {};
    const results: BenchResult[] = [];
    for (const p of names) {
      const t0 = performance.now();
      const r = await synthesize(presets[p], { timing: true });
      const ms = performance.now() - t0;
      const t = r.timing!;
      const slow2 = t.find((c) => c.grade === 2 && c.corner === 'slow')!;
      const worstModule = Object.entries(slow2.modules).sort(([, a], [, b]) => b.delayNs - a.delayNs);
      xc7[p] = {
        fmaxMHz: { '-1': fmaxRange(t, 1), '-2': fmaxRange(t, 2) },
        critical: slow2.worst,
        modules: Object.fromEntries(worstModule.map(([m, x]) => [m, { delayNs: x.delayNs, fmaxMHz: Number((1000 / x.delayNs).toFixed(1)), levels: x.levels, start: x.start, end: x.end, cellTypes: x.cellTypes }])),
        resources: { luts: r.total.luts, ffs: r.total.ffs, dsp48: r.total.dsp48, ramb18: r.total.bram.ramb18, ramb36: r.total.bram.ramb36 },
        synthAndStaSeconds: Math.round(ms / 1000),
        cached: r.modules.every((m) => m.cached),
      };
      log(`${p}: xc7 -2 estimated Fmax ${fmaxRange(t, 2).min} … ${fmaxRange(t, 2).max} MHz (${Math.round(ms / 1000)} s); critical ${slow2.worst.start} → ${slow2.worst.end}, ${slow2.worst.levels} levels`);
      const g2 = fmaxRange(t, 2);
      const m = { wallMs: ms, cpuMs: ms, runs: 1, warmup: 0 };
      results.push({ name: `${p} Fmax xc7-2 (slow nets)`, value: g2.min, wallValue: g2.min, unit: 'MHz', work: 0, workUnit: 'estimate', timing: m });
      results.push({ name: `${p} Fmax xc7-2 (fast nets)`, value: g2.max, wallValue: g2.max, unit: 'MHz', work: 0, workUnit: 'estimate', timing: m });
    }
    const fpga = xc7.fpga as { fmaxMHz: { '-2': { min: number } } } | undefined;
    const targets = fpga ? [target('fpga preset estimated Fmax, xc7 -2, slow nets', 'fpga Fmax xc7-2 (slow nets)', '>=', 250, 'MHz', fpga.fmaxMHz['-2'].min, fpga.fmaxMHz['-2'].min)] : [];
    return {
      ...machine(),
      method:
        'iCE40: Yosys synth_ice40 of the module in a register wrapper (every port bit through a flip-flop) → nextpnr-ice40 --hx8k --package ct256 --seed 1, post-route "Max frequency"; ' +
        'the estimate is generator/synth/sta.ts with iCE40 delays (icestorm timings_hx8k.txt) over the same netlist, slow…fast net corners. ' +
        '7-series: Yosys synth_xilinx -noiopad -noclkbuf, flattened, sta.ts with the 7-series table of generator/synth/delays.ts (speed grade -2 = -1 × 0.84).',
      workload: {
        ice40: rows,
        calibration: {
          routed: routed.length,
          inEstimateRange: inRange,
          meanAbsRatioToSlow: Number(meanAbs((r) => r.ratio!.toSlow).toFixed(3)),
          meanAbsRatioToFast: Number(meanAbs((r) => r.ratio!.toFast).toFixed(3)),
        },
        xc7,
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
