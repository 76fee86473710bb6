// Stimulus encoding, result decoding and golden comparison for the mapping engine
// (<prefix>mapping_top; beat formats in templates/mapping/mapping_top.v.hbs).
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
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { deriveMapping, MAP_ERROR_CODES, type MapErrorName, type MappingDerived } from '../../dsl/derive/mapping.ts';
import { LAYER_TYPE_CODES } from '../../dsl/derive/registers.ts';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { toCoords } from '../../model/coord-columns.ts';
import { FieldError } from '../../model/errors.ts';
import { kernelVolume } from '../../model/kernel.ts';
import type { KernelMap } from '../../model/kernel-map.ts';
import { layerKernelMap, planCoords } from '../../model/layer-plan.ts';
import type { Coord, LayerCase, LayerType } from '../../model/types.ts';

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
}

export interface MapStatus {
  busy: boolean;
  done: boolean;
  error: boolean;
  errorCode: number;
  errorName: MapErrorName | 'UNKNOWN';
}

export interface MapSimResult {
  status: MapStatus;
  /** Conv layers: the downsampled output coordinates, as streamed. */
  outCoords: Coord[] | null;
  /** Per kernel index, entries in arrival order (mirrors expanded). */
  pairs: { input: number[]; output: number[] }[];
  /** Map words and slots seen (for throughput figures). */
  mapWords: number;
  outPoints: number;
  /** 64-bit counters by register base name (PERF_TOTAL_CYCLES, MAP_COMPARISONS, …). */
  counters: Record<string, number>;
  /** Clock cycles the harness simulated (reset and register traffic included). */
  simCycles: number;
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

export function encodeStimulus(spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): string {
  const d = deriveMapping(spec);
  const W = d.axisWidth;
  const o = opts.override ?? {};
  const L = job.layer;
  const typeCode = o.type ?? LAYER_TYPE_CODES[L.type];
  if (L.type !== 'submanifold') log2Exact(L.stride, 'layer.stride');
  const tsLog2 = o.tsLog2 ?? log2Exact(L.inTensorStride, 'layer.inTensorStride');
  const nOut = o.nOut ?? (L.type === 'transposed' ? job.outCoords?.length ?? 0 : 0);
  const lines: string[] = [
    `seed ${opts.seed ?? 1}`,
    `stall_in ${opts.stallIn ?? 0}`,
    `stall_out ${opts.stallOut ?? 0}`,
    `max_cycles ${opts.maxCycles ?? 20_000_000}`,
    `status_addr ${regOffset(d, 'STATUS')}`,
  ];
  const w = (name: string, v: number) => lines.push(`write ${regOffset(d, name)} ${v}`);
  w('LAYER_TYPE', typeCode);
  w('KERNEL_SIZE', o.kernelSize ?? L.kernelSize);
  w('STRIDE', o.stride ?? L.stride);
  w('IN_TENSOR_STRIDE', tsLog2);
  w('IN_POINTS', o.nIn ?? job.inCoords.length);
  w('OUT_POINTS', nOut);
  w('CONTROL', 1);
  let beats = job.inCoords.map((p, i) => ({ hex: pointHex(spec, p, W), last: i === job.inCoords.length - 1 }));
  if (L.type === 'transposed' && job.outCoords) {
    beats = beats.concat(job.outCoords.map((p, i, a) => ({ hex: pointHex(spec, p, W), last: i === a.length - 1 })));
  }
  if (opts.editBeats) beats = opts.editBeats(beats);
  for (const b of beats) lines.push(`beat ${b.hex} ${b.last ? 1 : 0}`);
  lines.push(`read ${regOffset(d, 'STATUS')}`);
  lines.push(`read ${regOffset(d, 'OUT_POINTS')}`);
  for (const c of d.counters) {
    if (d.counterSplit) {
      lines.push(`read ${regOffset(d, `${c.name}_LO`)}`);
      lines.push(`read ${regOffset(d, `${c.name}_HI`)}`);
    } else {
      lines.push(`read ${regOffset(d, c.name)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function decodeStatus(v: number): MapStatus {
  const code = (v >>> 8) & 0xff;
  const name = (Object.entries(MAP_ERROR_CODES).find(([, c]) => c === code)?.[0] ?? 'UNKNOWN') as MapErrorName | 'UNKNOWN';
  return { busy: (v & 1) !== 0, done: (v & 2) !== 0, error: (v & 4) !== 0, errorCode: code, errorName: name };
}

export function decodeResult(spec: AcceleratorSpec, job: MapJob, text: string): MapSimResult {
  const d = deriveMapping(spec);
  const W = BigInt(d.axisWidth);
  const beats: { v: bigint; last: boolean }[] = [];
  const regs = new Map<number, number>();
  let status = 0, simCycles = 0, timeout = false;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'out') beats.push({ v: BigInt(`0x${f[1]}`) & ((1n << W) - 1n), last: f[2] === '1' });
    else if (f[0] === 'status') status = Number(f[1]);
    else if (f[0] === 'reg') regs.set(Number(f[1]), Number(f[2]));
    else if (f[0] === 'cycles') simCycles = Number(f[1]);
    else if (f[0] === 'timeout') timeout = true;
  }
  const reg = (name: string) => regs.get(regOffset(d, name)) ?? 0;
  const counters: Record<string, number> = {};
  for (const c of d.counters) {
    counters[c.name] = d.counterSplit ? reg(`${c.name}_LO`) + reg(`${c.name}_HI`) * 2 ** d.axilWidth : reg(c.name);
  }
  const st = decodeStatus(regs.get(regOffset(d, 'STATUS')) ?? status);
  const protocol: string[] = [];
  const k = job.layer.kernelSize;
  const vol = k ** 3;
  const pairs = Array.from({ length: Math.max(vol, 1) }, () => ({ input: [] as number[], output: [] as number[] }));
  let pos = 0;
  let outCoords: Coord[] | null = null;
  if (job.layer.type === 'conv' && job.inCoords.length > 0 && !st.error) {
    outCoords = [];
    for (;;) {
      if (pos >= beats.length) {
        protocol.push('coordinate packet without TLAST');
        break;
      }
      const b = beats[pos++]!;
      outCoords.push(decodePoint(spec, b.v));
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
      pairs[ki]!.input.push(inIdx);
      pairs[ki]!.output.push(outIdx);
      if (mirror) {
        const mi = vol - 1 - ki;
        pairs[mi]!.input.push(outIdx);
        pairs[mi]!.output.push(inIdx);
      }
    }
    if (last) {
      ended = true;
      if (valid !== 0) protocol.push('end-of-map word carries entries');
    }
  }
  if (!st.error && !timeout && !ended) protocol.push('no end-of-map word');
  if (pos < beats.length) protocol.push(`${beats.length - pos} beat(s) after the end of the map`);
  return {
    status: st,
    outCoords,
    pairs,
    mapWords,
    outPoints: regs.get(regOffset(d, 'OUT_POINTS')) ?? 0,
    counters,
    simCycles,
    timeout,
    protocol,
  };
}

export interface MapComparison {
  ok: boolean;
  mismatches: string[];
  /** Entries per kernel index (golden). */
  entriesPerOffset: number[];
  totalEntries: number;
}

/** Compare every map entry (per kernel index, in order) and every output coordinate. */
export function compareMapping(spec: AcceleratorSpec, job: MapJob, golden: GoldenMapping, r: MapSimResult, limit = 20): MapComparison {
  const mm: string[] = [];
  const add = (s: string) => {
    if (mm.length < limit) mm.push(s);
  };
  if (r.timeout) add('watchdog timeout');
  if (r.status.error) add(`engine error ${r.status.errorName} (${r.status.errorCode})`);
  if (!r.status.done) add('STATUS.DONE not set');
  for (const p of r.protocol) add(`stream: ${p}`);
  if (job.layer.type === 'conv') {
    const got = r.outCoords ?? [];
    if (got.length !== golden.outCoords.length) add(`output points: ${got.length}, expected ${golden.outCoords.length}`);
    const n = Math.min(got.length, golden.outCoords.length);
    for (let i = 0; i < n; i++) {
      if (got[i]!.some((v, a) => v !== golden.outCoords[i]![a])) add(`output coord ${i}: [${got[i]}], expected [${golden.outCoords[i]}]`);
    }
  }
  if (r.outPoints !== golden.outCoords.length) add(`OUT_POINTS ${r.outPoints}, expected ${golden.outCoords.length}`);
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
  const runs = (input: ArrayLike<number>, output: ArrayLike<number>, byInput: boolean) => {
    const rs = Array.from({ length: S }, () => ({ input: [] as number[], output: [] as number[] }));
    for (let e = 0; e < output.length; e++) {
      const run = rs[segOf(byInput ? input[e]! : output[e]!)]!;
      run.input.push(input[e]!);
      run.output.push(output[e]!);
    }
    return rs;
  };
  golden.map.pairs.forEach((g, i) => {
    const a = r.pairs[i] ?? { input: [], output: [] };
    perOffset.push(g.output.length);
    total += g.output.length;
    if (a.output.length !== g.output.length) add(`kernel index ${i}: ${a.output.length} entries, expected ${g.output.length}`);
    const byInput = half && i > centre;
    const gr = runs(g.input, g.output, byInput);
    const ar = runs(a.input, a.output, byInput);
    for (let s = 0; s < S; s++) {
      const G = gr[s]!, A = ar[s]!;
      const n = Math.min(A.output.length, G.output.length);
      for (let e = 0; e < n; e++) {
        if (A.input[e] !== G.input[e] || A.output[e] !== G.output[e]) {
          add(`kernel index ${i} run ${s} entry ${e}: (${A.input[e]}, ${A.output[e]}), expected (${G.input[e]}, ${G.output[e]})`);
          break;
        }
      }
      if (A.output.length !== G.output.length) add(`kernel index ${i} run ${s}: ${A.output.length} entries, expected ${G.output.length}`);
    }
  });
  if (r.counters.PERF_MAP_ENTRIES !== total) add(`PERF_MAP_ENTRIES ${r.counters.PERF_MAP_ENTRIES}, expected ${total}`);
  return { ok: mm.length === 0, mismatches: mm, entriesPerOffset: perOffset, totalEntries: total };
}

/** Run one stimulus on a built harness. */
export async function runMappingSim(binary: string, spec: AcceleratorSpec, job: MapJob, opts: StimulusOptions = {}): Promise<MapSimResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sf-map-'));
  try {
    const stim = join(dir, 'stim.txt');
    const res = join(dir, 'result.txt');
    writeFileSync(stim, encodeStimulus(spec, job, opts));
    const p = await execa(binary, [stim, res], { reject: false });
    if (p.exitCode !== 0 && p.exitCode !== 3) throw new Error(`mapping harness failed (${p.exitCode}): ${p.stderr}`);
    return decodeResult(spec, job, readFileSync(res, 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
