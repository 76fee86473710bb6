// Capacity of a map-buffer bank's run table (templates/top/accel_mapbuf.v.hbs), shared by the
// generator (derive/accel.ts sizes the table, derive/mapping.ts picks the kernels the engine may
// dispatch segment-major) and the cycle model (which order the engine uses). Pure.

/**
 * Runs one bank's run table holds: the next power of two ≥ maxKernelSize³ + 1, minus one (a run
 * count must fit the count register). Offset-major jobs open at most maxKernelSize³ runs per bank.
 */
export function runTableRuns(maxKernelSize: number): number {
  let d = 1;
  while (d < maxKernelSize ** 3 + 1) d *= 2;
  return d - 1;
}

/**
 * Largest kernel size (≤ maxKernelSize, 0 if none) whose merge jobs (offsets · segments; odd-k
 * submanifold layers merge half the offsets with `half`) all fit one bank's run table: only then
 * may the engine dispatch them segment-major, where every job can open a run.
 */
export function segMajorMaxK(maxKernelSize: number, segments: number, half: boolean): number {
  let best = 0;
  for (let k = 1; k <= maxKernelSize; k++) {
    const offsets = half && k % 2 === 1 ? (k ** 3 + 1) / 2 : k ** 3;
    if (offsets * segments <= runTableRuns(maxKernelSize)) best = k;
  }
  return best;
}

/** How the engine maps a layer on a spec: the map-free downsampler, or the merge and its job order. */
export interface MapSchedule {
  map: 'map-free' | 'merge';
  /** Merge only: the dispatcher's job order. */
  jobOrder?: 'segment-major' | 'offset-major';
}

export function mapSchedule(
  m: { lanes: number; maxKernelSize: number; mapFreeDownsample?: boolean; mapFreeTransposed?: boolean; segmentMajor?: boolean },
  layer: { type: string; kernelSize: number; stride: number },
  /** The layer's pass grouping: `offset` makes the engine dispatch offset-major (accel_sched grp_o). */
  passGrouping?: string,
): MapSchedule {
  const k = layer.kernelSize;
  if (m.mapFreeDownsample && layer.type === 'conv' && k === 2 && layer.stride === 2 && m.lanes >= 8) return { map: 'map-free' };
  if (m.mapFreeDownsample && m.mapFreeTransposed && layer.type === 'transposed' && k === 2 && layer.stride === 2 && m.lanes >= 8) return { map: 'map-free' };
  let segments = 1;
  if (m.lanes > 1) while (segments < m.lanes) segments *= 2;
  const half = layer.type === 'submanifold' && k % 2 === 1;
  const seg = m.segmentMajor === true && passGrouping !== 'offset' && k <= segMajorMaxK(m.maxKernelSize, segments, half);
  return { map: 'merge', jobOrder: seg ? 'segment-major' : 'offset-major' };
}

/**
 * Near-first job order (spec mapping.nearFirstJobs, templates/mapping/map_engine.v.hbs): the
 * offsets a segment-major segment dispatches, by ascending key distance |δ| of their kernel offset
 * in canonical order (z steps, then y, then x), ties by kernel index; the last offset of the usual
 * order (the centre of an odd-k submanifold half, else k³ − 1) stays last. Entry j is the kernel
 * index of the segment's j-th job. Near offsets' entries pair points that arrive close together in
 * the feature stream, so a bank's first run has features early (issue 13 item 3).
 */
export function nearFirstOrder(k: number, half: boolean): number[] {
  const kv = k ** 3;
  const n = half && k % 2 === 1 ? (kv + 1) / 2 : kv;
  const hk = k % 2 === 1 ? (k - 1) / 2 : 0;
  const R = 1024;
  const dist = (i: number) => Math.abs((((i % k) - hk) * R + (Math.floor(i / k) % k - hk)) * R + (Math.floor(i / (k * k)) - hk));
  const order = Array.from({ length: n - 1 }, (_, i) => i);
  order.sort((a, b) => dist(a) - dist(b) || a - b);
  order.push(n - 1);
  return order;
}
