// Stimulus encoding, result decoding and golden comparison for the mapping engine
// (<prefix>mapping_top; beat formats in templates/mapping/mapping_top.v.hbs), co-simulated on the
// shared framework: the build is generator/sim/mapping/build.ts (cached generic-harness build),
// a run is runSim (testbench/harness.cpp: the coordinates on the AXI4-Stream source `in`, the map
// captured from the sink `out`, the registers written, polled and read by the AXI-Lite master),
// and cosimMapping is cosim() with this file's comparison as its `verify` step, so a mismatch
// gets the framework's report (case, seed, x-seed, cycle, beat, lane, expected, actual, the
// case's coordinate) and an FST rerun.
//
// Documented map order (the engine's, checked entry by entry). The engine merges every kernel
// offset as S jobs (S = deriveMapping(spec).segments: 1 for one lane, else the next power of two
// ≥ lanes), job j covering the output segment [⌊j·n_out/S⌋, ⌊(j+1)·n_out/S⌋); different lanes
// may run them at the same time. So, for every kernel index, the entries of one output segment
// appear in ascending output index (which is also ascending input index: a translation keeps
// canonical order); the segments' runs, and the entries of different kernel indices, interleave
// in an order that depends on timing. A mirrored slot (submanifold, odd k, kernel index i < centre)
// stands for (i, in, out) and (k³−1−i, out, in): for the mirror index the runs are split by
// *input* index instead. Within each run this is exactly the golden model's KernelMap order
// (kernel-map.ts: pairs of one kernel index by ascending output index); comparison is per
// (kernel index, segment).
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveMapping, MAP_ERROR_CODES, type MapErrorName, type MappingDerived } from '../../dsl/derive/mapping.ts';
import { LAYER_TYPE_CODES } from '../../dsl/derive/registers.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { toCoords } from '../../model/coord-columns.ts';
import { FieldError } from '../../model/errors.ts';
import { kernelVolume } from '../../model/kernel.ts';
import type { KernelMap } from '../../model/kernel-map.ts';
import { layerKernelMap, planCoords } from '../../model/layer-plan.ts';
import { planRebase, shiftCoord, type Rebase } from '../../model/rebase.ts';
import { checkRegisterWrites } from '../capacity.ts';
import type { Coord, LayerCase, LayerType } from '../../model/types.ts';
import type { BuildResult } from '../build.ts';
import type { Mismatch } from '../compare.ts';
import { cosim } from '../cosim.ts';
import { runSim, type RunOptions, type RunResult } from '../run.ts';
import { idleLimit, mappingQuietCycles } from '../watchdog.ts';
import { MAPPING_STREAMS, mappingBuildOptions, type MappingBuildOptions } from './build.ts';

export interface MapLayer {
  type: LayerType;
  kernelSize: number;
  stride: number;
  inTensorStride: number;
}

/** One mapping run: coordinates in canonical order (outCoords only for transposed layers). */
export interface MapJob {
  layer: MapLayer;
  inCoords: Coord[];
  outCoords?: Coord[];
}

export interface StimulusOptions {
  seed?: number;
  /** Per-mille chance that the source holds back a beat / the sink is not ready. */
  stallIn?: number;
  stallOut?: number;
  maxCycles?: number;
  /** Raw register values instead of the ones the job implies (error-path tests). */
  override?: Partial<{ type: number; kernelSize: number; stride: number; tsLog2: number; nIn: number; nOut: number }>;
  /** Edit the slave beats before they are written (error-path tests). */
  editBeats?: (beats: { hex: string; last: boolean }[]) => { hex: string; last: boolean }[];
  /** Verilator X-initial seed of test builds (default: derived from seed, see run.ts xSeedFor). */
  xSeed?: number;
  /** Keep the run's files (stimulus, captured beats, AXI-Lite log, summary) in this folder. */
  workDir?: string;
}

export interface MapStatus {
  busy: boolean;
  done: boolean;
  error: boolean;
  errorCode: number;
  errorName: MapErrorName | 'UNKNOWN';
}

/** Where a decoded item left the DUT: beat index on the output stream, its cycle, the map-word slot. */
export interface EntryAt {
  beat: number;
  cycle: number;
  lane: number;
}

export interface MapSimResult {
  status: MapStatus;
  /** Conv layers: the downsampled output coordinates, as streamed. */
  outCoords: Coord[] | null;
  /** Per kernel index, entries in arrival order (mirrors expanded); `at[e]` is where entry e arrived. */
  pairs: { input: number[]; output: number[]; at: EntryAt[] }[];
  /** Where each downsampled output coordinate arrived (lane −1). */
  outCoordsAt: EntryAt[];
  /** Cycle of the STATUS read that ended the run (−1 if none). */
  statusCycle: number;
  /** Map words and slots seen (for throughput figures). */
  mapWords: number;
  outPoints: number;
  /** 64-bit counters by register base name (PERF_TOTAL_CYCLES, MAP_COMPARISONS, …). */
  counters: Record<string, number>;
  /** Clock cycles the harness simulated (reset and register traffic included). */
  simCycles: number;
  /** The harness watchdog ended the run (no progress, or the cycle limit). */
  timeout: boolean;
  /** Violations of the documented stream format. */
  protocol: string[];
}

function regOffset(d: MappingDerived, name: string): number {
  const r = d.registerMap.registers.find((x) => x.name === name) ?? d.extraRegisters.find((x) => x.name === name);
  if (!r) throw new Error(`mapping register ${name} not found`);
  return r.offset;
}

function log2Exact(v: number, field: string): number {
  const l = Math.round(Math.log2(v));
  if (!Number.isInteger(v) || v < 1 || 2 ** l !== v) throw new FieldError(field, `must be a power of two, got ${v}`);
  return l;
}

/** The job of a layer case: canonical coordinate lists, as the host driver would send them. */
export function jobFromCase(c: LayerCase): MapJob {
  const p = planCoords(c);
  const layer = { type: c.layer.type, kernelSize: c.layer.kernelSize, stride: c.layer.stride, inTensorStride: c.layer.inTensorStride };
  return c.layer.type === 'transposed'
    ? { layer, inCoords: toCoords(p.inCols), outCoords: toCoords(p.outCols) }
    : { layer, inCoords: toCoords(p.inCols) };
}

/** A minimal layer case for a job (1 channel, zero data): what the golden model needs for the map. */
export function caseFromJob(job: MapJob): LayerCase {
  const vol = kernelVolume(job.layer.kernelSize);
  return {
    layer: { ...job.layer, inChannels: 1, outChannels: 1 },
    input: { coords: job.inCoords, features: job.inCoords.map(() => [0]) },
    weights: Array.from({ length: vol }, () => [[0]]),
    ...(job.layer.type === 'transposed' ? { outputCoords: job.outCoords ?? [] } : {}),
  };
}

export interface GoldenMapping {
  map: KernelMap;
  /** Output coordinates in canonical order. */
  outCoords: Coord[];
}

export function goldenMapping(job: MapJob): GoldenMapping {
  const c = caseFromJob(job);
  const p = planCoords(c);
  return { map: layerKernelMap(c, p), outCoords: toCoords(p.outCols) };
}

/** Refuse what the hardware format cannot carry (never truncate silently). */
export function checkJobFits(spec: AcceleratorSpec, job: MapJob): void {
  const { coordWidth: cw, batchWidth: bw } = spec.mapping;
  const lo = -(2 ** (cw - 1)), hi = 2 ** (cw - 1) - 1;
  const check = (list: Coord[], field: string) =>
    list.forEach((p, i) => {
      if (p[0] < 0 || p[0] >= 2 ** bw) throw new FieldError(`${field}[${i}]`, `batch index ${p[0]} does not fit mapping.batchWidth ${bw}`);
      for (let a = 1; a < 4; a++) {
        if (p[a]! < lo || p[a]! > hi) throw new FieldError(`${field}[${i}]`, `coordinate ${p[a]} outside the ${cw}-bit range [${lo}, ${hi}]`);
      }
    });
  check(job.inCoords, 'input.coords');
  if (job.outCoords) check(job.outCoords, 'outputCoords');
}

/**
 * The translation of a job's batches into the spec's coordinate range (model/rebase.ts): identity
 * when the job fits; a FieldError naming mapping.coordWidth when its extent cannot fit.
 */
export function rebaseJob(spec: AcceleratorSpec, job: MapJob): Rebase {
  return planRebase(job.layer, job.inCoords, job.outCoords, spec.mapping.coordWidth, { what: spec.name });
}

/** The job in the hardware's frame. */
export function hardwareJob(job: MapJob, r: Rebase): MapJob {
  if (r.shifts.size === 0) return job;
  const mv = (l: Coord[]) => l.map((p) => shiftCoord(p, r, 1));
  return { ...job, inCoords: mv(job.inCoords), ...(job.outCoords ? { outCoords: mv(job.outCoords) } : {}) };
}

function pointHex(spec: AcceleratorSpec, p: Coord, W: number): string {
  const cw = BigInt(spec.mapping.coordWidth);
  const m = (1n << cw) - 1n;
  const v = (BigInt(p[0]) << (3n * cw)) | ((BigInt(p[3]) & m) << (2n * cw)) | ((BigInt(p[2]) & m) << cw) | (BigInt(p[1]) & m);
  return v.toString(16).padStart(W / 4, '0');
}

function signed(v: bigint, bits: number): number {
  const b = BigInt(bits);
  const x = v & ((1n << b) - 1n);
  return Number(x >= 1n << (b - 1n) ? x - (1n << b) : x);
}

function decodePoint(spec: AcceleratorSpec, v: bigint): Coord {
  const cw = spec.mapping.coordWidth;
  const m = (1n << BigInt(cw)) - 1n;
  const x = signed(v & m, cw), y = signed((v >> BigInt(cw)) & m, cw), z = signed((v >> BigInt(2 * cw)) & m, cw);
  const b = Number((v >> BigInt(3 * cw)) & ((1n << BigInt(spec.mapping.batchWidth)) - 1n));
  return [b, x, y, z];
}

/** What one run sends: the coordinate beats of the AXI4-Stream source and the AXI-Lite script. */
export interface MappingStimulus {
  beats: { data: bigint; last: boolean }[];
  /** tdata width of the source. */
  width: number;
  /** AXI-Lite master script (testbench/README.md): layer registers, START, poll, reads. */
  axil: string[];
}

const hex = (v: number, what: string): string => {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`${what}: ${v} is not a register value`);
  return v.toString(16);
};

/**
 * The stimulus of a job: the layer registers and CONTROL.START, then a poll of STATUS until BUSY
 * clears (BUSY rises with the START write, before its write response, and covers the output
 * serializer: clear means done or error and every map word sent), then STATUS, OUT_POINTS and
 * every counter (_LO before _HI on a 32-bit bus). The source offers its beats from the start; the
 * engine accepts them after START.
 */
export function encodeStimulus(spec: AcceleratorSpec, origJob: MapJob, opts: StimulusOptions = {}): MappingStimulus {
  const d = deriveMapping(spec);
  const job = hardwareJob(origJob, rebaseJob(spec, origJob));
  checkJobFits(spec, job);
  const W = d.axisWidth;
  const o = opts.override ?? {};
  const L = job.layer;
  const typeCode = o.type ?? LAYER_TYPE_CODES[L.type];
  if (L.type !== 'submanifold') log2Exact(L.stride, 'layer.stride');
  const tsLog2 = o.tsLog2 ?? log2Exact(L.inTensorStride, 'layer.inTensorStride');
  const nOut = o.nOut ?? (L.type === 'transposed' ? job.outCoords?.length ?? 0 : 0);
  const axil: string[] = [];
  const w = (name: string, v: number) => axil.push(`w ${hex(regOffset(d, name), name)} ${hex(v, name)}`);
  const r = (name: string) => axil.push(`r ${hex(regOffset(d, name), name)}`);
  w('LAYER_TYPE', typeCode);
  w('KERNEL_SIZE', o.kernelSize ?? L.kernelSize);
  w('STRIDE', o.stride ?? L.stride);
  w('IN_TENSOR_STRIDE', tsLog2);
  w('IN_POINTS', o.nIn ?? job.inCoords.length);
  w('OUT_POINTS', nOut);
  w('CONTROL', 1);
  axil.push(`p ${hex(regOffset(d, 'STATUS'), 'STATUS')} 1 0`);
  r('STATUS');
  r('OUT_POINTS');
  for (const c of d.counters) {
    if (d.counterSplit) {
      r(`${c.name}_LO`);
      r(`${c.name}_HI`);
    } else {
      r(c.name);
    }
  }
  let beats = job.inCoords.map((p, i) => ({ hex: pointHex(spec, p, W), last: i === job.inCoords.length - 1 }));
  if (L.type === 'transposed' && job.outCoords) {
    beats = beats.concat(job.outCoords.map((p, i, a) => ({ hex: pointHex(spec, p, W), last: i === a.length - 1 })));
  }
  if (opts.editBeats) beats = opts.editBeats(beats);
  // Raw `override` values are the error-path tests' own business; the driver's never truncate.
  if (opts.override === undefined) checkRegisterWrites(d.registerMap, axil, d.extraRegisters);
  return { beats: beats.map((b) => ({ data: BigInt(`0x${b.hex}`), last: b.last })), width: W, axil };
}

/** Run options of the framework (runSim / cosim) for a job: stimulus, seed, per-port stalls. */
export function mappingRunOptions(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Omit<RunOptions, 'workDir' | 'outputs' | 'expect'> {
  const st = encodeStimulus(spec, job, opts);
  const p = (permille: number | undefined) => Math.max(0, Math.min(1000, permille ?? 0)) / 1000;
  return {
    inputs: { [MAPPING_STREAMS.in]: { beats: st.beats, width: st.width } },
    axil: st.axil,
    seed: opts.seed ?? 1,
    // The AXI-Lite responses are never stalled (the register traffic is not under test here).
    stallPorts: { [MAPPING_STREAMS.in]: p(opts.stallIn), [MAPPING_STREAMS.out]: p(opts.stallOut), axil: 0 },
    maxCycles: opts.maxCycles ?? 20_000_000,
    // STATUS is polled while the engine works: sim/watchdog.ts.
    idleCycles: idleLimit(mappingQuietCycles(spec, job.layer.kernelSize, job.inCoords.length, job.outCoords?.length ?? job.inCoords.length)),
    ...(opts.xSeed !== undefined ? { xSeed: opts.xSeed } : {}),
  };
}

export function decodeStatus(v: number): MapStatus {
  const code = (v >>> 8) & 0xff;
  const name = (Object.entries(MAP_ERROR_CODES).find(([, c]) => c === code)?.[0] ?? 'UNKNOWN') as MapErrorName | 'UNKNOWN';
  return { busy: (v & 1) !== 0, done: (v & 2) !== 0, error: (v & 4) !== 0, errorCode: code, errorName: name };
}

/** Decode a harness run of `<prefix>mapping_top` (runSim result with the sink `out` captured). */
export function decodeRun(spec: AcceleratorSpec, job: MapJob, run: RunResult): MapSimResult {
  const d = deriveMapping(spec);
  const rebase = rebaseJob(spec, job);
  const W = BigInt(d.axisWidth);
  const mask = (1n << W) - 1n;
  const beats = (run.outputs[MAPPING_STREAMS.out] ?? []).map((b) => ({ v: b.data & mask, last: b.last, cycle: b.cycle }));
  const regs = new Map<number, number>();
  let status = 0;
  let statusCycle = -1;
  for (const e of run.axil) {
    if (e.op === 'r') regs.set(e.addr, Number(e.data));
    else if (e.op === 'p') {
      status = Number(e.data);
      statusCycle = e.cycle;
    }
  }
  const simCycles = run.summary.cycles + run.summary.resetCycles;
  const timeout = run.summary.status === 'no-progress' || run.summary.status === 'max-cycles';
  const statusAddr = regOffset(d, 'STATUS');
  const statusRead = run.axil.find((e) => e.op === 'r' && e.addr === statusAddr);
  if (statusRead) statusCycle = statusRead.cycle;
  const reg = (name: string) => regs.get(regOffset(d, name)) ?? 0;
  const counters: Record<string, number> = {};
  for (const c of d.counters) {
    counters[c.name] = d.counterSplit ? reg(`${c.name}_LO`) + reg(`${c.name}_HI`) * 2 ** d.axilWidth : reg(c.name);
  }
  const st = decodeStatus(regs.get(statusAddr) ?? status);
  const protocol: string[] = [];
  if (run.summary.status === 'protocol') protocol.push(run.summary.error);
  const k = job.layer.kernelSize;
  const vol = k ** 3;
  const pairs = Array.from({ length: Math.max(vol, 1) }, () => ({ input: [] as number[], output: [] as number[], at: [] as EntryAt[] }));
  let pos = 0;
  let outCoords: Coord[] | null = null;
  const outCoordsAt: EntryAt[] = [];
  if (job.layer.type === 'conv' && job.inCoords.length > 0 && !st.error) {
    outCoords = [];
    for (;;) {
      if (pos >= beats.length) {
        protocol.push('coordinate packet without TLAST');
        break;
      }
      const b = beats[pos]!;
      outCoordsAt.push({ beat: pos, cycle: b.cycle, lane: -1 });
      pos++;
      outCoords.push(shiftCoord(decodePoint(spec, b.v), rebase, -1));
      if (b.last) break;
    }
  }
  let mapWords = 0;
  let ended = false;
  const sw = BigInt(d.slotWidth);
  const f = (v: bigint, lsb: number, width: number) => Number((v >> BigInt(lsb)) & ((1n << BigInt(width)) - 1n));
  while (!st.error && pos < beats.length && !ended) {
    let word = 0n;
    let last = false;
    const first = pos;
    for (let j = 0; j < d.mapBeats; j++) {
      const b = beats[pos++];
      if (!b) {
        protocol.push('map word cut short');
        break;
      }
      if (b.last && j !== d.mapBeats - 1) protocol.push(`TLAST inside a map word (beat ${j})`);
      word |= b.v << (BigInt(j) * W);
      last = b.last;
    }
    mapWords++;
    let valid = 0;
    for (let l = 0; l < d.lanes; l++) {
      const slot = (word >> (BigInt(l) * sw)) & ((1n << sw) - 1n);
      if ((slot & 1n) === 0n) continue;
      valid++;
      const mirror = (slot & 2n) !== 0n;
      const ki = f(slot, d.slotKidxLsb, d.kidxWidth);
      const inIdx = f(slot, d.slotInLsb, d.idxWidth);
      const outIdx = f(slot, d.slotOutLsb, d.idxWidth);
      if (ki >= vol) {
        protocol.push(`kernel index ${ki} ≥ ${vol}`);
        continue;
      }
      const beat = Math.min(first + Math.floor((l * d.slotWidth) / d.axisWidth), beats.length - 1);
      const at: EntryAt = { beat, cycle: beats[beat]!.cycle, lane: l };
      pairs[ki]!.input.push(inIdx);
      pairs[ki]!.output.push(outIdx);
      pairs[ki]!.at.push(at);
      if (mirror) {
        const mi = vol - 1 - ki;
        pairs[mi]!.input.push(outIdx);
        pairs[mi]!.output.push(inIdx);
        pairs[mi]!.at.push(at);
      }
    }
    if (last) {
      ended = true;
      if (valid !== 0) protocol.push('end-of-map word carries entries');
    }
  }
  if (!st.error && !timeout && !ended) protocol.push('no end-of-map word');
  // With mapping.overlapLoad an error found during the load can follow map words already sent
  // (the merge started with the first coordinate): the host drops that layer's map.
  const aborted = st.error && d.overlapLoad && pos === 0;
  if (aborted && beats.length % d.mapBeats !== 0) protocol.push(`aborted map: ${beats.length} beats, not whole ${d.mapBeats}-beat words`);
  if (pos < beats.length && !aborted) protocol.push(`${beats.length - pos} beat(s) after the end of the map`);
  return {
    status: st,
    outCoords,
    outCoordsAt,
    pairs,
    mapWords,
    outPoints: regs.get(regOffset(d, 'OUT_POINTS')) ?? 0,
    counters,
    simCycles,
    statusCycle,
    timeout,
    protocol,
  };
}

export interface MapComparison {
  ok: boolean;
  /** The first `limit` mismatches, one line each. */
  mismatches: string[];
  /** The same mismatches for the framework's report (generator/sim/compare.ts), up to 1000. */
  details: Mismatch[];
  /** Entries per kernel index (golden). */
  entriesPerOffset: number[];
  totalEntries: number;
}

const DETAIL_LIMIT = 1000;

const fmtCoord = (c: Coord | undefined) => (c ? `(${c.join(', ')})` : '(?)');

/** Compare every map entry (per kernel index, in order) and every output coordinate. */
export function compareMapping(spec: AcceleratorSpec, job: MapJob, golden: GoldenMapping, r: MapSimResult, limit = 20): MapComparison {
  const mm: string[] = [];
  const details: Mismatch[] = [];
  const OUT = MAPPING_STREAMS.out;
  const add = (s: string, m: Omit<Mismatch, 'stream' | 'beat' | 'cycle' | 'channel'> & Partial<Pick<Mismatch, 'stream' | 'beat' | 'cycle' | 'channel'>>) => {
    if (mm.length < limit) mm.push(s);
    if (details.length < DETAIL_LIMIT) details.push({ stream: OUT, beat: -1, cycle: -1, channel: -1, ...m });
  };
  const reg = (where: string) => ({ stream: 'axil', where, cycle: r.statusCycle });
  if (r.timeout) add('watchdog timeout', { stream: 'harness', where: 'the whole run', cycle: r.simCycles, field: 'end of run', expected: 'STATUS.BUSY cleared', actual: 'watchdog timeout' });
  if (r.status.error) add(`engine error ${r.status.errorName} (${r.status.errorCode})`, { ...reg('STATUS register'), field: 'STATUS.ERROR_CODE', expected: 'no error', actual: `${r.status.errorName} (${r.status.errorCode})` });
  if (!r.status.done) add('STATUS.DONE not set', { ...reg('STATUS register'), field: 'STATUS.DONE', expected: '1', actual: '0' });
  for (const p of r.protocol) add(`stream: ${p}`, { where: 'the documented stream format', field: 'format', expected: 'well-formed', actual: p });
  if (job.layer.type === 'conv') {
    const got = r.outCoords ?? [];
    if (got.length !== golden.outCoords.length) {
      add(`output points: ${got.length}, expected ${golden.outCoords.length}`, { where: 'downsampled output coordinates', field: 'output points', expected: String(golden.outCoords.length), actual: String(got.length) });
    }
    const n = Math.min(got.length, golden.outCoords.length);
    for (let i = 0; i < n; i++) {
      if (got[i]!.some((v, a) => v !== golden.outCoords[i]![a])) {
        const at = r.outCoordsAt[i];
        add(`output coord ${i}: [${got[i]}], expected [${golden.outCoords[i]}]`, {
          beat: at?.beat ?? -1,
          cycle: at?.cycle ?? -1,
          where: `downsampled output point ${i}`,
          field: 'coordinate (b, x, y, z)',
          expected: fmtCoord(golden.outCoords[i]),
          actual: fmtCoord(got[i]),
        });
      }
    }
  }
  if (r.outPoints !== golden.outCoords.length) {
    add(`OUT_POINTS ${r.outPoints}, expected ${golden.outCoords.length}`, { ...reg('OUT_POINTS register'), field: 'OUT_POINTS', expected: String(golden.outCoords.length), actual: String(r.outPoints) });
  }
  let total = 0;
  const perOffset: number[] = [];
  const nOut = golden.outCoords.length;
  const S = deriveMapping(spec).segments;
  const bounds = Array.from({ length: S + 1 }, (_, j) => Math.floor((j * nOut) / S));
  const segOf = (q: number) => {
    let j = 0;
    while (j + 1 < S && bounds[j + 1]! <= q) j++;
    return j;
  };
  const k = job.layer.kernelSize;
  const half = job.layer.type === 'submanifold' && k % 2 === 1;
  const centre = (k ** 3 - 1) / 2;
  const inCoords = job.inCoords;
  /** Entries split into runs; `idx` holds each entry's index in the arrival list. */
  const runs = (input: ArrayLike<number>, output: ArrayLike<number>, byInput: boolean) => {
    const rs = Array.from({ length: S }, () => ({ input: [] as number[], output: [] as number[], idx: [] as number[] }));
    for (let e = 0; e < output.length; e++) {
      const run = rs[segOf(byInput ? input[e]! : output[e]!)]!;
      run.input.push(input[e]!);
      run.output.push(output[e]!);
      run.idx.push(e);
    }
    return rs;
  };
  golden.map.pairs.forEach((g, i) => {
    const a = r.pairs[i] ?? { input: [], output: [], at: [] };
    const off = golden.map.offsets[i];
    const kernel = `kernel index ${i}${off ? ` (offset (${off.join(', ')}))` : ''}`;
    perOffset.push(g.output.length);
    total += g.output.length;
    if (a.output.length !== g.output.length) {
      add(`kernel index ${i}: ${a.output.length} entries, expected ${g.output.length}`, { where: kernel, field: 'map entries', expected: String(g.output.length), actual: String(a.output.length) });
    }
    const byInput = half && i > centre;
    const gr = runs(g.input, g.output, byInput);
    const ar = runs(a.input, a.output, byInput);
    for (let s = 0; s < S; s++) {
      const G = gr[s]!, A = ar[s]!;
      const n = Math.min(A.output.length, G.output.length);
      for (let e = 0; e < n; e++) {
        if (A.input[e] !== G.input[e] || A.output[e] !== G.output[e]) {
          const at = a.at[A.idx[e]!];
          add(`kernel index ${i} run ${s} entry ${e}: (${A.input[e]}, ${A.output[e]}), expected (${G.input[e]}, ${G.output[e]})`, {
            beat: at?.beat ?? -1,
            cycle: at?.cycle ?? -1,
            channel: at?.lane ?? -1,
            where:
              `${kernel}, run ${s}, entry ${e}: expected output point ${G.output[e]} ${fmtCoord(golden.outCoords[G.output[e]!])} ` +
              `← input point ${G.input[e]} ${fmtCoord(inCoords[G.input[e]!])}`,
            field: 'map entry (input, output)',
            expected: `(${G.input[e]}, ${G.output[e]})`,
            actual: `(${A.input[e]}, ${A.output[e]})`,
          });
          break;
        }
      }
      if (A.output.length !== G.output.length) {
        const e = Math.min(A.output.length, G.output.length);
        const at = A.output.length > e ? a.at[A.idx[e]!] : undefined;
        add(`kernel index ${i} run ${s}: ${A.output.length} entries, expected ${G.output.length}`, {
          beat: at?.beat ?? -1,
          cycle: at?.cycle ?? -1,
          channel: at?.lane ?? -1,
          where:
            `${kernel}, run ${s} (outputs ${bounds[s]}…${bounds[s + 1]! - 1}), from entry ${e}` +
            (G.output.length > e ? `: first missing output point ${G.output[e]} ${fmtCoord(golden.outCoords[G.output[e]!])}` : ': surplus entries'),
          field: 'entries in run',
          expected: String(G.output.length),
          actual: String(A.output.length),
        });
      }
    }
  });
  if (r.counters.PERF_MAP_ENTRIES !== total) {
    add(`PERF_MAP_ENTRIES ${r.counters.PERF_MAP_ENTRIES}, expected ${total}`, { ...reg('PERF_MAP_ENTRIES counter'), field: 'PERF_MAP_ENTRIES', expected: String(total), actual: String(r.counters.PERF_MAP_ENTRIES) });
  }
  return { ok: details.length === 0, mismatches: mm, details, entriesPerOffset: perOffset, totalEntries: total };
}

/** Run one job on a built harness (buildMappingSim(spec).binary); no comparison. */
export async function runMappingSim(binary: string, spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Promise<MapSimResult> {
  const dir = opts.workDir ?? mkdtempSync(join(tmpdir(), 'sf-map-'));
  try {
    const run = await runSim(binary, { ...mappingRunOptions(spec, job, opts), workDir: dir, outputs: [MAPPING_STREAMS.out] });
    return decodeRun(spec, job, run);
  } finally {
    if (!opts.workDir) rmSync(dir, { recursive: true, force: true });
  }
}

export interface CosimMappingOptions extends StimulusOptions {
  /** Names the case in reports and its run folder (default: spec, layer, size, seed and a hash of the job). */
  caseName?: string;
  /** The golden mapping, when the caller has it already. */
  golden?: GoldenMapping;
  /** Build profile etc. (default: the `test` profile). */
  build?: MappingBuildOptions;
  /** Rerun with a waveform on a mismatch (default true). */
  traceOnMismatch?: boolean;
}

export function mappingCaseName(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): string {
  const L = job.layer;
  const h = createHash('sha256')
    .update(JSON.stringify([job, opts.stallIn ?? 0, opts.stallOut ?? 0, opts.maxCycles ?? 0, opts.override ?? null]))
    .digest('hex')
    .slice(0, 8);
  return `map-${spec.name}-${L.type}-k${L.kernelSize}-s${L.stride}-ts${L.inTensorStride}-n${job.inCoords.length}-seed${opts.seed ?? 1}-${h}`;
}

/**
 * Build (cached), run and compare one job through the framework's cosim(): returns the decoded run
 * and the comparison when every entry and output coordinate matches; otherwise reruns the same
 * seeds with an FST waveform and throws a CosimMismatchError carrying the report.
 */
export async function cosimMapping(
  spec: AcceleratorSpec,
  job: MapJob,
  opts: CosimMappingOptions = {},
): Promise<{ result: MapSimResult; cmp: MapComparison; build: BuildResult; workDir: string }> {
  const golden = opts.golden ?? goldenMapping(job);
  let decoded: { result: MapSimResult; cmp: MapComparison } | undefined;
  const r = await cosim({
    caseName: opts.caseName ?? mappingCaseName(spec, job, opts),
    build: mappingBuildOptions(spec, opts.build),
    run: mappingRunOptions(spec, job, opts),
    checks: [],
    captures: [MAPPING_STREAMS.out],
    verify: (run) => {
      const result = decodeRun(spec, job, run);
      const cmp = compareMapping(spec, job, golden, result);
      decoded = { result, cmp };
      return cmp.details;
    },
    ...(opts.traceOnMismatch === false ? { traceOnMismatch: false } : {}),
    ...(opts.workDir ? { workDir: opts.workDir } : {}),
  });
  return { ...decoded!, build: r.build, workDir: r.workDir };
}
