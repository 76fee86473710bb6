// The campaign's directed run, once per spec: what random layer cases never do through the host
// driver. Every register read after reset and CLEAR; layers refused at START (BAD_KERNEL,
// BAD_CHANNELS, COORD_OVERFLOW, FEATURE_OVERFLOW when the spec can overflow its feature buffer);
// a layer with unsorted coordinates (UNSORTED_COORDS, the rest of its stream dropped); STATUS
// write-one-to-clear; then a good layer whose output must equal the golden model.
import { join } from 'node:path';
import { derive } from '../dsl/derive/index.ts';
import { inChannelsPerPass } from '../dsl/sparsity.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { runLayer } from '../model/layer.ts';
import type { Coord } from '../model/types.ts';
import { canonicalLayer } from '../sim/accel/driver.ts';
import { hardwareCase } from '../sim/accel/check.ts';
import { buildAccel } from '../sim/accel/rtl.ts';
import { decodeOutput, decodeReadback, encodeLayer, layerScript, outputBeatCount, readbackRegisters, type Beat, type HwLayer } from '../sim/accel/stream.ts';
import type { BuildProfile } from '../sim/build.ts';
import { runSim } from '../sim/run.ts';
import { drawFittingCase, fitsOnChip } from './case-gen.ts';
import { planTiles, tileLimits } from '../model/tiles.ts';

export interface DirectedResult {
  ok: boolean;
  /** What went wrong (empty when ok). */
  problems: string[];
  /** Error names seen, in order. */
  errors: string[];
  cycles: number;
}

const hex = (v: number | bigint) => v.toString(16);

export async function runDirected(spec: AcceleratorSpec, opts: { profile: BuildProfile; workDir: string; seed: number }): Promise<DirectedResult> {
  const d = derive(spec);
  const reg = (n: string) => d.registers.registers.find((r) => r.name === n)!;
  const bit = (r: string, f: string) => reg(r).fields.find((x) => x.name === f)!.lsb;
  // A good single-tile layer with at least two input points (for the unsorted variant).
  let good: { hw: HwLayer; nOut: number; expect: number[][]; coords: Coord[] } | undefined;
  for (let s = opts.seed; s < opts.seed + 50 && !good; s++) {
    const draw = drawFittingCase(spec, s, { maxPoints: 16 });
    // In the hardware's frame (a far case is re-based, as the host driver does).
    const c = hardwareCase(spec, draw.case).hc;
    if (c.input.coords.length < 2 || !fitsOnChip(spec, c)) continue;
    const lay = canonicalLayer(c);
    if (planTiles(lay, tileLimits(spec)).length !== 1) continue;
    const g = runLayer(c, spec.arithmetic).result;
    const requantOut = c.requant !== undefined;
    good = {
      hw: { ...c.layer, inCoords: lay.inCoords, features: lay.features, outCoords: c.outputCoords ? lay.outCoords : undefined, weights: c.weights, bias: c.bias, requant: c.requant, requantOut },
      nOut: g.coords.length,
      expect: requantOut ? g.features! : g.accumulators,
      coords: g.coords,
    };
  }
  if (!good) return { ok: false, problems: ['no single-tile layer with two points found for the directed run'], errors: [], cycles: 0 };
  const g = good;
  const base = (over: Partial<HwLayer>): HwLayer => ({ ...g.hw, ...over });
  const dummy = (n: number): Coord[] => Array.from({ length: n }, (_, i) => [0, 0, 0, i] as Coord);
  const refused: { name: string; hw: HwLayer }[] = [
    { name: 'BAD_KERNEL', hw: base({ kernelSize: 0 }) },
    { name: 'BAD_CHANNELS', hw: base({ inChannels: 0 }) },
    { name: 'COORD_OVERFLOW', hw: base({ inCoords: dummy(spec.buffers.coordDepth + 1), features: [] }) },
  ];
  // FEATURE_OVERFLOW: IN_POINTS · ⌈Cin / X⌉ > featureDepth with IN_POINTS ≤ coordDepth, X the
  // input channels per pass (rows, or rows · M/N with N:M weight sparsity).
  const tiMax = Math.ceil(spec.matrix.maxChannels / inChannelsPerPass(spec));
  if (spec.buffers.coordDepth * tiMax > spec.buffers.featureDepth) {
    const n = Math.min(spec.buffers.coordDepth, Math.floor(spec.buffers.featureDepth / tiMax) + 1);
    refused.push({ name: 'FEATURE_OVERFLOW', hw: base({ inChannels: spec.matrix.maxChannels, inCoords: dummy(n), features: [] }) });
  }
  const clear = `w ${hex(reg('CONTROL').offset)} ${hex(1 << bit('CONTROL', 'CLEAR'))}`;
  const statusW1c = `w ${hex(reg('STATUS').offset)} ${hex((1 << bit('STATUS', 'DONE')) | (1 << bit('STATUS', 'ERROR')))}`;
  const busy = `p ${hex(reg('STATUS').offset)} ${hex(1 << bit('STATUS', 'BUSY'))} 0`;
  // Every register, then an address past the map (reads 0).
  const last = Math.max(...d.registers.registers.map((r) => r.offset));
  const allRegs = [...d.registers.registers.map((r) => `r ${hex(r.offset)}`), `r ${hex(last + d.registers.dataWidth / 8)}`];
  const script: string[] = [clear, busy, ...allRegs];
  const beats: Beat[] = [];
  for (const x of refused) script.push(...layerScript(d, x.hw), statusW1c);
  // Unsorted coordinates: the first two coordinate beats swapped (points are one beat each when
  // they fit the stream; otherwise skip this one).
  const enc = encodeLayer(spec, d, g.hw);
  const unsorted = g.hw.inCoords.length >= 2 && Math.ceil((spec.mapping.batchWidth + 3 * spec.mapping.coordWidth) / spec.interfaces.axisDataWidth) === 1;
  if (unsorted) {
    // Swap the data only: TLAST stays on the section's last beat.
    beats.push({ ...enc[0]!, data: enc[1]!.data }, { ...enc[1]!, data: enc[0]!.data }, ...enc.slice(2));
    script.push(...layerScript(d, g.hw));
  }
  beats.push(...enc);
  script.push(...layerScript(d, g.hw), statusW1c, ...allRegs, clear, busy, ...allRegs);
  const build = await buildAccel(spec, { profile: opts.profile });
  const r = await runSim(build.binary, {
    workDir: opts.workDir,
    seed: opts.seed,
    stall: 0.2,
    inputs: { in: { beats, width: d.axis.dataWidth } },
    outputs: ['out'],
    axil: script,
    maxCycles: 50_000_000,
  });
  const problems: string[] = [];
  if (!r.ok) return { ok: false, problems: [`harness ${r.summary.status}: ${r.summary.error} (${r.command})`], errors: [], cycles: r.cycles };
  const reads = r.axil.filter((a) => a.op === 'r');
  const nRegs = allRegs.length;
  const per = readbackRegisters(d).length;
  let k = nRegs;
  const errors: string[] = [];
  const expectNames = [...refused.map((x) => x.name), ...(unsorted ? ['UNSORTED_COORDS'] : [])];
  for (const name of expectNames) {
    const rb = decodeReadback(d, reads.slice(k, k + per).map((a) => a.data));
    k += per;
    errors.push(rb.errorName);
    if (!rb.error || rb.errorName !== name) problems.push(`expected ${name}, got error=${rb.error} ${rb.errorName}`);
  }
  const rb = decodeReadback(d, reads.slice(k, k + per).map((a) => a.data));
  if (!rb.done || rb.error) problems.push(`good layer after the errors: done=${rb.done} error=${rb.error} ${rb.errorName}`);
  const out = r.outputs.out ?? [];
  const n = outputBeatCount(spec, d, g.hw, g.nOut);
  const dec = decodeOutput(spec, d, g.hw, g.nOut, out.slice(out.length - n));
  if (JSON.stringify(dec.coords) !== JSON.stringify(g.coords)) problems.push('good layer: output coordinates differ from the golden model');
  if (JSON.stringify(dec.values) !== JSON.stringify(g.expect)) problems.push('good layer: output values differ from the golden model');
  return { ok: problems.length === 0, problems, errors, cycles: r.cycles };
}

export const directedWorkDir = (root: string, specId: string) => join(root, `directed-${specId.replace(/[^\w-]/g, '_')}`);
