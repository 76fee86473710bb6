// Workload figures of a layer, from its kernel map (DESIGN.md §3's compute bound uses them).
import { countMapEntries } from './kernel-map.ts';
import { planLayer } from './layer-plan.ts';
import { DEFAULT_WIDTHS, type ArithmeticWidths, type LayerCase, type LayerType } from './types.ts';

export interface LayerStats {
  layerType: LayerType;
  pointsIn: number;
  pointsOut: number;
  inTensorStride: number;
  outTensorStride: number;
  kernelVolume: number;
  /** Indexed by kernel index. */
  mapEntriesPerOffset: number[];
  mapEntries: number;
  /** mapEntries · inChannels · outChannels. */
  macs: number;
  /** mapEntries / pointsOut (0 for an empty output). */
  avgNeighbours: number;
}

/** Validates the whole case, like runLayer, but skips the arithmetic. */
export function layerStats(c: LayerCase, widths: ArithmeticWidths = DEFAULT_WIDTHS): LayerStats {
  const p = planLayer(c, widths);
  const mapEntries = countMapEntries(p.map);
  return {
    layerType: c.layer.type,
    pointsIn: p.inCols.n,
    pointsOut: p.outCols.n,
    inTensorStride: p.inTensorStride,
    outTensorStride: p.outTensorStride,
    kernelVolume: p.kernelVolume,
    mapEntriesPerOffset: p.map.pairs.map((e) => e.output.length),
    mapEntries,
    macs: mapEntries * c.layer.inChannels * c.layer.outChannels,
    avgNeighbours: p.outCols.n === 0 ? 0 : mapEntries / p.outCols.n,
  };
}
