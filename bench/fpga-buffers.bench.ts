// Deeper buffers on the fpga preset (issue 13): MinkUNet w1.0 on the full 141,672-point LiDAR scan
// (bench/lidar.ts DEFAULT_SCAN, as bench/network.bench.ts) from the cycle model on fpga variants
// that differ only in buffers.featureDepth / accumulatorDepth, and what each costs in Yosys.
// On today's preset (4,096 words each) the feature buffer caps the tiles of every C → C and
// narrowing layer (4,096 / ⌈Cin/16⌉ input points, halo included: 256 at 256 channels, 170 at
// 384), the accumulator buffer the widening and transposed layers (4,096 / ⌈Cout/16⌉ outputs);
// the coordinate buffer (≤ 0.5 full) and the map banks (≤ 0.55) never do on this network.
// A halo tile of a submanifold layer computes every input it streams (hwOut = its inputs), so
// for C → C layers both buffers must grow together; core-only tiles and narrowing layers
// (384 → 256, 192 → 128, 128 → 96) gain from the feature buffer alone.
// Each variant: total cycles, network utilisation, by kind, the loss breakdown (network/loss.ts)
// by kind and by output channels, tiles; the RAMs whose depth changes synthesized alone
// (buffersArea: feature and accumulator buffer, drain-port replica and tags; minutes) and the whole
// top (area: synth_xilinx of <name>_accel, cached by RTL hash in .cache/synth; long on a loaded
// machine): LUT, FF, DSP48, RAMB18/RAMB36; topEstimate = today's top + the buffers' change.
// FPGA_BUFFERS_ONLY="f8k,f16k-a16k" runs only those variants, FPGA_BUFFERS_PARTS=model,buffers,area
// (the default) or a subset only those parts; every part not run is kept from the previous results file
// (keptFrom: its date), so variants can run in separate processes.
import { presets } from '../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../generator/dsl/spec.ts';
import { networkStructure } from '../generator/network/zoo/float-network.ts';
import { zooFloatNetwork } from '../generator/network/zoo/index.ts';
import { estimateNetwork } from '../generator/network/estimate.ts';
import { lossBy, lossTotal } from '../generator/network/loss.ts';
import { synthesize, synthesizeRtl, type SynthCounts } from '../generator/synth/yosys.ts';
import { emitAccelerator } from '../generator/emit/index.ts';
import { PROJECT_ROOT } from '../generator/emit/render.ts';
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, target, type Bench, type BenchReport } from './harness.ts';
import { DEFAULT_SCAN, lidarScan } from './lidar.ts';

/** Block RAM a design may add and still count as a cheap change (the coordinator's bar). */
const RAM_BUDGET = 0.1;
const TARGET_UTIL = 0.9;

interface Variant {
  label: string;
  featureDepth: number;
  accumulatorDepth: number;
}

export const VARIANTS: Variant[] = [
  { label: 'fpga', featureDepth: 4096, accumulatorDepth: 4096 },
  { label: 'f8k', featureDepth: 8192, accumulatorDepth: 4096 },
  { label: 'f8k-a8k', featureDepth: 8192, accumulatorDepth: 8192 },
  { label: 'f16k', featureDepth: 16384, accumulatorDepth: 4096 },
  { label: 'f16k-a8k', featureDepth: 16384, accumulatorDepth: 8192 },
  { label: 'f16k-a16k', featureDepth: 16384, accumulatorDepth: 16384 },
];

/** The fpga preset with a variant's buffers (its own name: its own RTL and synth cache entry). */
export function variantSpec(v: Variant): AcceleratorSpec {
  const base = presets.fpga;
  if (v.featureDepth === base.buffers.featureDepth && v.accumulatorDepth === base.buffers.accumulatorDepth) return base;
  return { ...base, name: `sf_fpga_${v.label.replace(/-/g, '_')}`, buffers: { ...base.buffers, featureDepth: v.featureDepth, accumulatorDepth: v.accumulatorDepth } };
}

type Row = Record<string, unknown> & { label: string };

/**
 * Today's whole fpga top as docs/accelerator.md records it (Yosys synth_xilinx, whole sf_fpga_accel;
 * `synth --timing --preset fpga` at 96a95eb), the base of the estimated tops when this run has no
 * whole-top synthesis of row `fpga`. (It was 21,985 LUT / 13,222 FF / 18 RAMB18 + 198 RAMB36 before.)
 */
const DOCUMENTED_TOP = { luts: 28333, ffs: 15627, dsp48: 293, ramb18: 3, ramb36: 265, source: 'docs/accelerator.md (Synthesis): fpga whole top, measured at 96a95eb' };

const flat = (c: SynthCounts) => ({ luts: c.luts, ffs: c.ffs, dsp48: c.dsp48, ramb18: c.bram.ramb18, ramb36: c.bram.ramb36, ramb36Equivalent: c.bram.ramb36 + c.bram.ramb18 / 2, lutram: c.lutram });

/**
 * The block RAMs whose depth a variant changes, synthesized on their own (cheap next to the whole
 * top): the feature buffer u_fbuf and accumulator buffer u_abuf of <name>_accel (both instances of
 * <name>_accel_ram, with the WIDTH/DEPTH the emitted top gives them, in a wrapper that exposes
 * their ports) and the drain port's module <name>_accel_drain (its accumulator replica and the two
 * tag RAMs are accumulatorDepth deep). Coordinate, map and weight buffers do not change.
 */
async function bufferArea(spec: AcceleratorSpec): Promise<Record<string, unknown>> {
  const em = emitAccelerator(spec);
  const n = em.spec.name;
  const text = (f: string) => em.files.find((x) => x.path === f)?.contents ?? '';
  const top = text(`${n}_accel.v`);
  const inst = (u: string) => {
    const m = new RegExp(`${n}_accel_ram #\\(\\s*\\.WIDTH\\((\\d+)\\),\\s*\\.DEPTH\\((\\d+)\\),\\s*\\.AW\\((\\d+)\\)\\s*\\) ${u} `).exec(top);
    if (!m) throw new Error(`fpga-buffers: no ${u} instance of ${n}_accel_ram in ${n}_accel.v`);
    return { width: Number(m[1]), depth: Number(m[2]), aw: Number(m[3]) };
  };
  const f = inst('u_fbuf');
  const a = inst('u_abuf');
  const port = (p: string, r: { width: number; aw: number }) =>
    `  input wire ${p}_we_i, input wire [${r.aw - 1}:0] ${p}_waddr_i, input wire [${r.width - 1}:0] ${p}_wdata_i,\n  input wire ${p}_re_i, input wire [${r.aw - 1}:0] ${p}_raddr_i, output wire [${r.width - 1}:0] ${p}_rdata_o`;
  const ram = (p: string, u: string, r: { width: number; depth: number; aw: number }) =>
    `  ${n}_accel_ram #(.WIDTH(${r.width}), .DEPTH(${r.depth}), .AW(${r.aw})) ${u} (.clk_i(clk_i), .we_i(${p}_we_i), .waddr_i(${p}_waddr_i), .wdata_i(${p}_wdata_i), .re_i(${p}_re_i), .raddr_i(${p}_raddr_i), .rdata_o(${p}_rdata_o));`;
  const wrapper = `// The feature and accumulator buffers of ${n}_accel alone (bench/fpga-buffers.bench.ts).\nmodule ${n}_bufs (\n  input wire clk_i,\n${port('f', f)},\n${port('a', a)}\n);\n${ram('f', 'u_fbuf', f)}\n${ram('a', 'u_abuf', a)}\nendmodule\n`;
  const files = { [`${n}_accel_ram.v`]: text(`${n}_accel_ram.v`), [`${n}_bufs.v`]: wrapper };
  const h = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 12);
  const dir = path.join(PROJECT_ROOT, '.cache', 'rtl', `${n}-bufs-${h}`);
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  fs.writeFileSync(path.join(dir, 'files.f'), `${Object.keys(files).sort().join('\n')}\n`);
  const bufs = await synthesizeRtl(dir, { top: `${n}_bufs`, keep: [], timeoutMs: 4 * 3600 * 1000 });
  const drain = await synthesize(spec, { top: `${n}_accel_drain`, timeoutMs: 4 * 3600 * 1000 });
  const sum = flat(bufs.total);
  const d = flat(drain.total);
  return {
    feature: f, accumulator: a,
    featureAndAccumulator: sum, drain: { module: `${n}_accel_drain`, ...d },
    total: Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, v + d[k as keyof typeof d]])),
  };
}

const bench: Bench = {
  name: 'fpga-buffers',
  description: 'minkunet w1.0 on the full LiDAR scan, fpga with deeper feature/accumulator buffers: cycle model utilisation, loss breakdown, Yosys area',
  async run(log) {
    const info = machine();
    const only = process.env.FPGA_BUFFERS_ONLY?.split(',').map((x) => x.trim()).filter((x) => x !== '');
    const unknown = only?.filter((l) => !VARIANTS.some((v) => v.label === l)) ?? [];
    if (unknown.length > 0) throw new Error(`FPGA_BUFFERS_ONLY: no variant ${unknown[0]} (variants: ${VARIANTS.map((v) => v.label).join(', ')})`);
    const parts = (process.env.FPGA_BUFFERS_PARTS ?? 'model,buffers,area').split(',').map((x) => x.trim());
    let commit = 'unknown';
    try {
      commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    } catch { /* not a checkout */ }
    const scan = lidarScan(DEFAULT_SCAN).coords;
    const net = networkStructure(zooFloatNetwork({ arch: 'minkunet', width: 1, inChannels: 4, classes: 19, seed: 1 }));
    // Read the previous file at the end: variants may run in separate processes (FPGA_BUFFERS_ONLY).
    const prevFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', 'fpga-buffers.json');
    const readPrev = () => (fs.existsSync(prevFile) ? (JSON.parse(fs.readFileSync(prevFile, 'utf8')) as BenchReport & { workload: { rows: Row[] } }) : undefined);
    const fresh = new Map<string, Row>();
    for (const v of VARIANTS) {
      if (only !== undefined && !only.includes(v.label)) continue;
      const spec = variantSpec(v);
      const row: Row = { label: v.label, spec: spec.name, buffers: { ...spec.buffers } };
      if (parts.includes('model')) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const rep = estimateNetwork(spec, net, scan, {
          onProgress: (line) => { if (/ (1|10|20|30|40|50)\//.test(line)) log(`${v.label}: ${line}`); },
        });
        const c = process.cpuUsage(c0);
        const T = rep.totals;
        const acc = rep.nodes.filter((n) => n.where === 'accelerator');
        row.model = {
          commit, date: new Date().toISOString(),
          cycles: T.cycles, utilisation: T.utilisation, computeBound: T.computeBound, offChipMB: T.offChipBytes / 1e6,
          tiles: acc.reduce((a, n) => a + n.tiles, 0), tiledNodes: acc.filter((n) => n.tiles > 1).length, coreOnlyNodes: acc.filter((n) => n.tiling === 'core').length,
          byKind: Object.fromEntries(T.byKind.map((k) => [k.kind, { utilisation: k.utilisation, cycles: k.cycles, nodes: k.nodes }])),
          loss: lossTotal(rep),
          lossByKind: lossBy(rep, (n) => n.kind),
          subm3ByOutChannels: lossBy(rep, (n) => (n.kind === 'subm k3' ? String(n.outChannels) : 'other')),
          nodes: acc.map((n) => ({ name: n.name, tiles: n.tiles, tiling: n.tiling ?? null, cycles: n.cycles.total, utilisation: n.utilisation })),
          estimateCpuMs: Math.round((c.user + c.system) / 1000), estimateWallMs: Math.round(performance.now() - t0),
        };
        log(`${v.label}: feature ${v.featureDepth}, accumulator ${v.accumulatorDepth}: ${T.cycles.toLocaleString('en-US')} cycles, util ${(100 * T.utilisation).toFixed(2)} %, ` +
          `${(row.model as { tiles: number }).tiles} tiles, estimate ${((c.user + c.system) / 1e6).toFixed(0)} s CPU`);
      }
      if (parts.includes('buffers')) {
        const y0 = performance.now();
        row.buffersArea = { commit, date: new Date().toISOString(), ...(await bufferArea(spec)), wallS: Math.round((performance.now() - y0) / 1000) };
        log(`${v.label}: buffers ${JSON.stringify((row.buffersArea as { total: unknown }).total)}`);
      }
      if (parts.includes('area')) {
        const y0 = performance.now();
        const r = await synthesize(spec, { timeoutMs: 4 * 3600 * 1000 });
        const t = r.total;
        row.area = { commit, date: new Date().toISOString(), module: r.totalOf.join(' + '), rtlHash: r.rtlHash, luts: t.luts, ffs: t.ffs, dsp48: t.dsp48, ramb18: t.bram.ramb18, ramb36: t.bram.ramb36,
          ramb36Equivalent: t.bram.ramb36 + t.bram.ramb18 / 2, lutram: t.lutram, latches: t.latches, wallS: Math.round((performance.now() - y0) / 1000) };
        log(`${v.label}: ${t.luts} LUT, ${t.ffs} FF, ${t.dsp48} DSP48, ${t.bram.ramb18} RAMB18 + ${t.bram.ramb36} RAMB36`);
      }
      fresh.set(v.label, row);
    }
    const prev = readPrev();
    const rows: Row[] = [];
    for (const v of VARIANTS) {
      const kept = prev?.workload.rows.find((r) => r.label === v.label);
      const f = fresh.get(v.label);
      // A part not measured now (not asked for, or the variant not run) is the previous file's.
      const row: Row = { ...(kept ?? {}), ...(f ?? {}), label: v.label };
      for (const part of ['model', 'area', 'buffersArea'] as const) {
        if (f?.[part] === undefined && kept?.[part] !== undefined) row[part] = { ...(kept[part] as object), keptFrom: (kept[part] as { keptFrom?: string }).keptFrom ?? prev!.date };
      }
      delete row.vsToday;
      delete row.topEstimate;
      if (row.model !== undefined || row.area !== undefined || row.buffersArea !== undefined) rows.push(row);
    }
    const today = rows.find((r) => r.label === 'fpga');
    const util = (r: Row | undefined) => (r?.model as { utilisation?: number } | undefined)?.utilisation;
    const cyc = (r: Row | undefined) => (r?.model as { cycles?: number } | undefined)?.cycles;
    // The whole top of each variant: synthesized (area), else today's whole top plus the change of
    // the depth-dependent RAM instances (buffersArea; logic outside them, a few address and count
    // bits, is not in the estimate).
    type Counts = Record<string, number>;
    const todayTop: Counts & { source?: string } = (today?.area as Counts | undefined) ?? { ...DOCUMENTED_TOP, ramb36Equivalent: DOCUMENTED_TOP.ramb36 + DOCUMENTED_TOP.ramb18 / 2 } as unknown as Counts;
    const bufTotal = (r: Row | undefined) => (r?.buffersArea as { total?: Counts } | undefined)?.total;
    for (const r of rows) {
      const b = bufTotal(r);
      const b0 = bufTotal(today);
      if (b === undefined || b0 === undefined) continue;
      const est: Counts = {};
      for (const k of ['luts', 'ffs', 'dsp48', 'ramb18', 'ramb36', 'ramb36Equivalent']) est[k] = (todayTop[k] ?? 0) + (b[k]! - b0[k]!);
      r.topEstimate = { ...est, base: today?.area !== undefined ? 'row fpga area (whole top synthesized)' : DOCUMENTED_TOP.source };
    }
    const ram = (r: Row | undefined) =>
      (r?.area as { ramb36Equivalent?: number } | undefined)?.ramb36Equivalent ?? (r?.topEstimate as { ramb36Equivalent?: number } | undefined)?.ramb36Equivalent;
    for (const r of rows) {
      if (today === undefined || r === today) continue;
      const d: Record<string, number> = {};
      if (cyc(r) !== undefined && cyc(today) !== undefined) {
        d.cycles = cyc(r)! / cyc(today)! - 1;
        d.utilisationPoints = 100 * (util(r)! - util(today)!);
      }
      if (ram(r) !== undefined && ram(today) !== undefined) d.ramb36Equivalent = ram(r)! / ram(today)! - 1;
      r.vsToday = d;
    }
    // The best utilisation among the variants within the block-RAM budget (today's preset included).
    const cheap = rows.filter((r) => util(r) !== undefined && ram(r) !== undefined && ram(today) !== undefined && ram(r)! <= (1 + RAM_BUDGET) * ram(today)!);
    const best = cheap.reduce<Row | undefined>((a, r) => (a === undefined || util(r)! > util(a)! ? r : a), undefined);
    const targets = best
      ? [target(`minkunet w1.0 full LiDAR scan on fpga with ≤ +${100 * RAM_BUDGET} % block RAM (best: ${best.label}) ≥ ${TARGET_UTIL}`, 'network utilisation', '>=', TARGET_UTIL, '', util(best)!, util(best)!)]
      : [];
    return {
      ...info,
      method:
        'estimateNetwork (generator/network/estimate.ts) of minkunet w1.0 (structure, no calibration) on bench/lidar.ts DEFAULT_SCAN (voxel 0.05), as bench/network.bench.ts ' +
        'does for the fpga row, on the fpga preset with buffers.featureDepth / accumulatorDepth changed (nothing else; the host\'s tile plan, core-only choice, ' +
        'pass grouping and W0 block follow from the spec as in the driver); utilisation = Σ compute bound ÷ Σ cycles of the 50 conv nodes; loss breakdown network/loss.ts. ' +
        'Area: synthesize(spec) = bin/sparseforge synth --config (Yosys 0.23 synth_xilinx -noiopad, whole <name>_accel top, matrix columns counted per instance), ' +
        'cached by RTL hash; buffersArea: the depth-dependent RAMs alone (u_fbuf and u_abuf as <name>_accel_ram instances in a wrapper, plus <name>_accel_drain: accumulator replica and tags), ' +
        'topEstimate = today\'s whole top (row fpga area, else the documented figure) + the change of buffersArea; ramb36Equivalent = RAMB36 + RAMB18 / 2. A model or area part with keptFrom was not re-run (FPGA_BUFFERS_ONLY / FPGA_BUFFERS_PARTS); each part records its commit.',
      workload: { network: 'minkunet-w1.0', cloud: { name: `lidar-v${DEFAULT_SCAN.voxel}`, points: scan.length }, ramBudget: RAM_BUDGET, rows },
      results: [],
      targets,
      pass: targets.every((x) => x.pass),
    } satisfies BenchReport;
  },
};

export default bench;
