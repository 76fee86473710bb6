// What a generated accelerator can run: the host driver refuses anything else before it streams a
// beat, with an error naming the field of the layer case (DESIGN.md §1: never truncate silently).
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { FieldError } from '../../model/errors.ts';
import { planCoords } from '../../model/layer-plan.ts';
import { planRebase, shiftCoords, type Rebase } from '../../model/rebase.ts';
import type { Coord, LayerCase } from '../../model/types.ts';

function pow2(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0;
}

/**
 * Throws FieldError for the first thing in `c` the accelerator `spec` cannot run. `limits` false
 * (the driver's test bypass) skips the kernel, stride and channel limits that the hardware checks
 * itself; what the streams could not carry (coordinates, batch, multiplier and shift widths) is
 * always checked.
 */
export function checkCaseForSpec(spec: AcceleratorSpec, c: LayerCase, limits = true, coords = true): void {
  if (limits) checkLimits(spec, c);
  checkStreamValues(spec, c, coords);
}

function checkLimits(spec: AcceleratorSpec, c: LayerCase): void {
  const L = c.layer;
  const mp = spec.mapping;
  if (!mp.layerTypes.includes(L.type)) {
    throw new FieldError('layer.type', `${spec.name} runs ${mp.layerTypes.join(', ')} layers only, got ${L.type}`);
  }
  if (L.kernelSize > mp.maxKernelSize) {
    throw new FieldError('layer.kernelSize', `${spec.name} supports kernel sizes up to mapping.maxKernelSize = ${mp.maxKernelSize}, got ${L.kernelSize}`);
  }
  if (L.type !== 'submanifold' && (!pow2(L.stride) || L.stride > mp.maxStride)) {
    throw new FieldError('layer.stride', `${spec.name} supports power-of-two strides up to mapping.maxStride = ${mp.maxStride}, got ${L.stride}`);
  }
  const maxTs = 2 ** (mp.coordWidth - 1);
  if (!pow2(L.inTensorStride) || L.inTensorStride >= maxTs) {
    throw new FieldError('layer.inTensorStride', `must be a power of two below 2^(coordWidth-1) = ${maxTs} on ${spec.name}, got ${L.inTensorStride}`);
  }
  for (const [field, v] of [['layer.inChannels', L.inChannels], ['layer.outChannels', L.outChannels]] as const) {
    if (v > spec.matrix.maxChannels) throw new FieldError(field, `${spec.name} supports up to matrix.maxChannels = ${spec.matrix.maxChannels} channels, got ${v}`);
  }
}

function checkStreamValues(spec: AcceleratorSpec, c: LayerCase, coords = true): void {
  const mp = spec.mapping;
  const lo = -(2 ** (mp.coordWidth - 1));
  const hi = 2 ** (mp.coordWidth - 1) - 1;
  const checkCoords = (list: Coord[], field: string) =>
    list.forEach((p, i) => {
      if (p[0] < 0 || p[0] >= 2 ** mp.batchWidth) {
        throw new FieldError(`${field}[${i}]`, `batch index ${p[0]} does not fit mapping.batchWidth = ${mp.batchWidth} bits of ${spec.name}`);
      }
      // Tiles re-based one by one (tiledHardwareCase): their coordinates are checked when packed.
      if (!coords) return;
      for (let a = 1; a < 4; a++) {
        if (p[a]! < lo || p[a]! > hi) {
          throw new FieldError(`${field}[${i}]`, `coordinate ${p[a]} outside the ${mp.coordWidth}-bit range [${lo}, ${hi}] of ${spec.name}`);
        }
      }
    });
  checkCoords(c.input.coords, 'input.coords');
  if (c.outputCoords) checkCoords(c.outputCoords, 'outputCoords');
  const pp = spec.postprocess;
  if (c.bias !== undefined && !pp.bias) throw new FieldError('bias', `${spec.name} has no bias stage (postprocess.bias = false)`);
  if (c.requant !== undefined) {
    if (!pp.requant) throw new FieldError('requant', `${spec.name} has no requantization stage (postprocess.requant = false)`);
    if (c.requant.relu && !pp.relu) throw new FieldError('requant.relu', `${spec.name} has no ReLU (postprocess.relu = false)`);
    const mMax = 2 ** pp.multiplierWidth - 1;
    const sMax = 2 ** pp.shiftWidth - 1;
    c.requant.multiplier.forEach((m, i) => {
      if (m > mMax) throw new FieldError(`requant.multiplier[${i}]`, `${m} does not fit the ${pp.multiplierWidth}-bit multiplier of ${spec.name} (max ${mMax})`);
    });
    c.requant.shift.forEach((s, i) => {
      if (s > sMax) throw new FieldError(`requant.shift[${i}]`, `${s} does not fit the ${pp.shiftWidth}-bit shift of ${spec.name} (max ${sMax})`);
    });
  }
}

/**
 * The case as the hardware sees it: each batch translated into the spec's coordinate range when it
 * does not fit (model/rebase.ts; a FieldError when its extent cannot fit).
 */
/**
 * hardwareCase for a driver that tiles: a layer whose batches cannot be re-based as a whole runs
 * unmoved with `perTile` set — the tile planner then bounds every tile's extent
 * (TileLimits.coordWidth) and each tile gets its own translation (model/tiles.ts rebaseTiles).
 */
export function tiledHardwareCase(spec: AcceleratorSpec, c: LayerCase): { hc: LayerCase; rebase: Rebase; perTile: boolean } {
  planCoords(c);
  try {
    return { ...hardwareCase(spec, c), perTile: false };
  } catch (e) {
    if (!(e instanceof FieldError)) throw e;
    return { hc: c, rebase: { coordWidth: spec.mapping.coordWidth, align: 1, shifts: new Map() }, perTile: true };
  }
}

export function hardwareCase(spec: AcceleratorSpec, c: LayerCase): { hc: LayerCase; rebase: Rebase } {
  planCoords(c); // validated before the coordinates are read
  const rebase = planRebase(c.layer, c.input.coords, c.outputCoords, spec.mapping.coordWidth, { what: spec.name });
  if (rebase.shifts.size === 0) return { hc: c, rebase };
  const input = { ...c.input, coords: shiftCoords(c.input.coords, rebase, 1) };
  return { hc: { ...c, input, ...(c.outputCoords ? { outputCoords: shiftCoords(c.outputCoords, rebase, 1) } : {}) }, rebase };
}
