// The host/hardware boundary (docs/accelerator.md, "Capacity"): before a driver sends anything,
// every hardware run is checked against the spec's capacities (buffer depths, channel, kernel and
// stride limits) and every value it writes into a register against that register's width in the
// derived register map. A value that does not fit is refused with an error naming the capacity
// (`buffers.coordDepth = 4096 < 20147 input points`) — never truncated into a register, where the
// hardware would see a different layer than the host meant and report something misleading.
import type { RegisterMap } from '../dsl/derive/registers.ts';
import { inChannelsPerPass } from '../dsl/sparsity.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { FieldError } from '../model/errors.ts';
import type { LayerType } from '../model/types.ts';

/** A capacity of the spec exceeded: `field` is the spec field, the message `field = cap < need what`. */
export class CapacityError extends FieldError {
  readonly capacity: number;
  readonly needed: number;
  constructor(field: string, capacity: number, needed: number, what: string, spec?: string) {
    super(field, `= ${capacity} < ${needed} ${what}`);
    this.name = 'CapacityError';
    this.capacity = capacity;
    this.needed = needed;
    this.message = `${field} = ${capacity} < ${needed} ${what}${spec ? ` (${spec})` : ''}`;
  }
}

/** What one hardware layer run asks of the accelerator. */
export interface HwRunShape {
  type: LayerType;
  kernelSize: number;
  stride: number;
  inTensorStride: number;
  /** Input points sent. */
  nIn: number;
  /** Output points (given for transposed, produced otherwise; at most nIn for conv). */
  nOut: number;
  /** Channels; absent for the mapping engine alone. */
  inChannels?: number;
  outChannels?: number;
}

const isPow2 = (v: number) => Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;

/**
 * Throws CapacityError (a FieldError) for the first capacity of `spec` that the run exceeds.
 * `datapath` false: the mapping engine alone (coordinate buffers, kernel, stride, tensor stride).
 */
export function checkRunCapacity(spec: AcceleratorSpec, run: HwRunShape, datapath = true): void {
  const { mapping: mp, buffers: bf, matrix: mx } = spec;
  const n = spec.name;
  if (run.kernelSize < 1) throw new FieldError('layer.kernelSize', `must be at least 1, got ${run.kernelSize}`);
  if (run.kernelSize > mp.maxKernelSize) throw new CapacityError('mapping.maxKernelSize', mp.maxKernelSize, run.kernelSize, 'kernel size', n);
  if (run.type !== 'submanifold' && run.stride > mp.maxStride) throw new CapacityError('mapping.maxStride', mp.maxStride, run.stride, 'stride', n);
  if (!isPow2(run.inTensorStride)) throw new FieldError('layer.inTensorStride', `must be a power of two, got ${run.inTensorStride}`);
  const tsLimit = 2 ** (mp.coordWidth - 1);
  if (run.inTensorStride >= tsLimit) {
    throw new FieldError('mapping.coordWidth', `${mp.coordWidth} bits allow tensor strides below 2^(coordWidth−1) = ${tsLimit}, got ${run.inTensorStride} (${n})`);
  }
  if (run.nIn > bf.coordDepth) throw new CapacityError('buffers.coordDepth', bf.coordDepth, run.nIn, 'input points', n);
  if (run.nOut > bf.coordDepth) throw new CapacityError('buffers.coordDepth', bf.coordDepth, run.nOut, 'output points', n);
  if (!datapath || run.inChannels === undefined || run.outChannels === undefined) return;
  for (const [field, v] of [['input', run.inChannels], ['output', run.outChannels]] as const) {
    if (v < 1) throw new FieldError(`layer.${field === 'input' ? 'inChannels' : 'outChannels'}`, `must be at least 1, got ${v}`);
    if (v > mx.maxChannels) throw new CapacityError('matrix.maxChannels', mx.maxChannels, v, `${field} channels`, n);
  }
  const ti = Math.ceil(run.inChannels / inChannelsPerPass(spec));
  const to = Math.ceil(run.outChannels / mx.cols);
  if (run.nIn * ti > bf.featureDepth) throw new CapacityError('buffers.featureDepth', bf.featureDepth, run.nIn * ti, `feature words (${run.nIn} input points · ${ti} input-channel tiles)`, n);
  if (run.nOut * to > bf.accumulatorDepth) {
    throw new CapacityError('buffers.accumulatorDepth', bf.accumulatorDepth, run.nOut * to, `accumulator words (${run.nOut} output points · ${to} output-channel tiles)`, n);
  }
}

/** A register as both drivers know it: byte offset, name, fields. */
interface RegLike {
  name: string;
  offset: number;
  fields?: { name: string; lsb: number; width: number; access: string }[];
}

/**
 * Every `w ADDR VALUE` line of an AXI-Lite script (testbench/README.md) checked against the register
 * it addresses: the value must lie within the register's writable fields, each field's value within
 * its width. Registers without a field list (counters) take any bus word.
 */
export function checkRegisterWrites(map: RegisterMap, script: readonly string[], extra: readonly RegLike[] = []): void {
  const regs = new Map<number, RegLike>();
  for (const r of [...map.registers, ...extra]) regs.set(r.offset, r);
  for (const line of script) {
    if (!line.startsWith('w ')) continue;
    const [, a, v] = line.split(' ');
    const addr = Number.parseInt(a!, 16);
    const value = BigInt(`0x${v}`);
    const r = regs.get(addr);
    if (r === undefined) throw new FieldError('register map', `no register at 0x${a} (write of 0x${v})`);
    if (r.fields === undefined) {
      if (value >> BigInt(map.dataWidth) !== 0n) throw new FieldError(r.name, `0x${v} is wider than the ${map.dataWidth}-bit bus`);
      continue;
    }
    let rest = value;
    for (const f of r.fields) {
      if (f.access === 'RO') continue;
      const m = ((1n << BigInt(f.width)) - 1n) << BigInt(f.lsb);
      rest &= ~m;
    }
    if (rest !== 0n) {
      // Name the field the value overflows: the one just below the first stray bit.
      let bit = 0;
      while (((rest >> BigInt(bit)) & 1n) === 0n) bit++;
      const f = [...r.fields].filter((x) => x.access !== 'RO' && x.lsb <= bit).sort((p, q) => q.lsb - p.lsb)[0];
      const field = f ? `${r.name}.${f.name}` : r.name;
      const what = f ? `its ${f.width}-bit field (at most ${2 ** f.width - 1})` : 'its writable fields';
      throw new FieldError(field, `the host would write ${value >> BigInt(f?.lsb ?? 0)} into ${what}; refused instead of truncated`);
    }
  }
}
