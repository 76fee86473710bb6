// Schedule replay of one hardware layer run (one tile) for the cycle model
// (generator/model/cycle-model.ts): the mapping engine's dispatcher and merge lanes are replayed
// from the coordinates (templates/mapping/map_engine.v.hbs, map_lane.v.hbs: binary search, one
// comparison per cycle, job overheads), then the datapath's passes (templates/top/accel_sched.v.hbs)
// are laid out on that timeline: the first channel-tile pair follows the map entries and the
// feature stream, the later pairs replay complete runs, each pass max(rows of the pass, rows of a
// weight tile) cycles (double-buffered weight tiles), then the output tail.
//
// Pure: no I/O; coordinates in, cycle figures out.
import type { Coord } from './types.ts';
import type { PassGrouping } from './pass-grouping.ts';
import { w0Slot, w0SlotOrder } from './w0-order.ts';
import { nearFirstOrder } from './run-table.ts';

export interface ReplayLayer {
  type: 'submanifold' | 'conv' | 'transposed';
  kernelSize: number;
  stride: number;
  /** Tensor stride of the input coordinates. */
  inTensorStride: number;
  inChannels: number;
  outChannels: number;
  /** Canonical input coordinates [b, x, y, z] of this hardware run. */
  inCoords: readonly Coord[];
  /** Canonical output coordinates of this hardware run (conv: the downsampled ones). */
  outCoords: readonly Coord[];
  requant: boolean;
  bias: boolean;
  /**
   * LAYER_TYPE.REUSE_MAP: the map of the previous run (same coordinates) is still on chip: no
   * coordinate beats, no mapping; every run of the map is complete when the layer starts.
   */
  reuseMap?: boolean;
  /** Fusion: the features are in the feature buffer at START (no FEAT section). */
  featOnChip?: boolean;
  /** Fusion: the output words are not streamed (FUSION.NO_STREAM). */
  wordsOnChip?: boolean;
  /** LAYER_TYPE.GROUPING: the scheduler's pass-grouping policy (default bank). */
  passGrouping?: PassGrouping;
  /**
   * LAYER_TYPE.W0_BLOCK (spec.buffers.w0Interleave): feature words the stream carries after each
   * tile of the first weight pair (model/w0-order.ts); 0 or unset: every tile, then the features.
   */
  w0Block?: number;
}

export interface ReplayParams {
  lanes: number;
  rows: number;
  /** Input channels per pass (rows, or rows · M/N with N:M weight sparsity). */
  xRows: number;
  /** Position bits beside each weight (log2 M; 0 when dense). */
  positionBits: number;
  cols: number;
  axisDataWidth: number;
  accWidth: number;
  outWidth: number;
  multiplierWidth: number;
  inWidth: number;
  weightWidth: number;
  weightDepth: number;
  /** Downsampler classes: maxStride². */
  dsClasses: number;
  /** Map-free conv k = s = 2 (spec.mapping.mapFreeDownsample): the downsampler emits the map. */
  mapFree: boolean;
  /** Map-free transposed k = s = 2 (spec.mapping.mapFreeTransposed): the outputs walked by parent. */
  mapFreeTrans?: boolean;
  /** Merge jobs segment-major (spec.mapping.segmentMajor). */
  segmentMajor: boolean;
  /** Segment-major jobs near offsets first (spec.mapping.nearFirstJobs). */
  nearFirst?: boolean;
  /**
   * spec.mapping.comparePipeline: the engine's START checks are registered (one cycle more before
   * the load), and the pipelined downsampler merge fetches three points per class at start-up
   * instead of one and passes a taken point through a FIFO stage (still one point per cycle).
   */
  comparePipeline?: boolean;
  /**
   * spec.mapping.overlapLoad: submanifold and transposed merges are dispatched from the start of
   * the coordinate load; a lane's read of coordinate i waits until the load has written it.
   */
  overlapLoad?: boolean;
  /** spec.buffers.w0Interleave: a pair's tiles stream (and sit in the ring) in w0Slot order. */
  w0Interleave?: boolean;
  /** spec.buffers.weightReadRows (default 1): weight-tile rows fetched per cycle. */
  weightReadRows?: number;
  /** Runs a map-buffer bank's run table holds (segment-major only when every job fits). */
  runTableRuns: number;
  shiftWidth: number;
  scatterForwarding: boolean;
  /**
   * spec.gatherScatter.drainPort: a finished cout tile of a conv / transposed layer is drained
   * through a second accumulator port (templates/top/accel_drain.v.hbs) while the next tile
   * computes, instead of a drain pass of zero rows through the matrix unit.
   */
  drainPort?: boolean;
  /** Map-free transposed with the drain port: the chunk of a last-pair pass ({@link mtChunkEntries}). */
  mtChunk?: number;
  /**
   * spec.gatherScatter.passListDepth (0 / unset: off): the scheduler records the runs' passes of
   * the first pair that starts on a complete map and replays them, one per cycle, in every later
   * pair (accel_sched pass list); a list longer than this falls back to the walk.
   */
  passListDepth?: number;
  /**
   * Map-free conv with the walk during the coordinate load (mapping.mapFreeEarlyWalk): the chunk
   * of a pass whose run's last features are missing ({@link ewChunkEntries}); 0 = not built.
   */
  ewChunk?: number;
  /**
   * Register stages the pipelining knobs add to the datapath (matrix.treePipeline +
   * postprocess.pipelineStages): the last row reaches the output that much later.
   */
  extraLatency: number;
  /**
   * interfaces.outputOrder 'interleaved' (accel_output il): a map-free conv run that streams its
   * words sends coordinate q, then cout tile 0's word q, …: the words do not wait for the walk.
   */
  outputInterleaved?: boolean;
  /**
   * Projections of map-free conv k = s = 2 variants that are NOT built (bench/conv-output.bench.ts
   * records them; on map-free transposed layers chunkMin, tileLoadCycles and walkDuringLoad, for
   * bench/transposed-loss.bench.ts); unset on every calibrated prediction. See {@link ReplayProjection}.
   */
  projection?: ReplayProjection;
}

/**
 * What-if variants of a map-free conv k = s = 2 layer with the drain port, for projections only
 * (the hardware is what the replay models without this object):
 * - output: the output stream's format. 'sections' (interfaces.outputOrder 'sections': every
 *   coordinate, then the words; the coordinates are complete only at the walk's end, so the words
 *   wait for it); 'interleaved' (built, interfaces.outputOrder 'interleaved': per output point its
 *   coordinate beat, then its first cout tile's word beats; later cout tiles' words follow
 *   cout-tile-major: the pair sent when the word is final); the others are not built:
 *   'early-coords' (sections, with every output coordinate known before the walk, e.g. counted by
 *   a walk during the coordinate load: the words follow their drain marks only); 'tagged' (one
 *   beat per cycle, a coordinate as soon as the walk counts it, a word as soon as it is final,
 *   oldest first, each beat tagged so the host can tell them apart); 'free' (the output stream
 *   costs nothing: the schedule's own end);
 * - chunkMin: entries an open map-free bank needs before the scheduler passes it (built: 2·rows;
 *   max(4, rows / buffers.weightReadRows) on map-free transposed layers, and on map-free conv with
 *   the interleaved output, with the drain port);
 * - tileLoadCycles: cycles per weight-tile load (built: rows / buffers.weightReadRows);
 * - walkPerCycle: points the downsampler's walk takes per cycle (built: 1);
 * - walkDuringLoad (also map-free transposed: the outputs walked as they load, a parent once every
 *   child can have arrived): the walk (the map) runs while the coordinates load, not gated by the
 *   features; the scheduler passes the prefix of a run whose features are in (≥ chunkMin, or the
 *   rest of a closed run), the gather's row-by-row feature wait does the rest. On map-free conv
 *   it takes a point once its own coordinate is in, unless
 * - walkSlabGate (map-free conv, with walkDuringLoad): a parent only once every child can have
 *   arrived — an input of a later (batch, x-slab pair) has arrived or the load has ended (the
 *   order a merge of the class lists needs while they still grow).
 */
export interface ReplayProjection {
  output?: 'sections' | 'interleaved' | 'early-coords' | 'tagged' | 'free';
  chunkMin?: number;
  tileLoadCycles?: number;
  walkPerCycle?: number;
  walkDuringLoad?: boolean;
  walkSlabGate?: boolean;
}

/**
 * Map-free transposed layers with the drain port: in the last cin-tile pair the scheduler cuts a
 * closed run at every multiple of this many bank entries (a power of two ≥ 2·rows, so a pass is
 * never shorter than its weight tile's load; at most the bank) and walks on to the next bank, so
 * all kernel indices advance through the outputs together and progress marks drain the words while
 * the pair computes. The map buffer keeps each chunk's last output (accel_mapbuf ckt).
 */
/**
 * Map-free conv with the walk during the coordinate load (mapping.mapFreeEarlyWalk): the map runs
 * ahead of the features, so the scheduler passes a bank's run in chunks ending at multiples of
 * this many bank entries once the chunk's last entry's features are in (accel_mapbuf ewt keeps
 * each chunk's last entry): a power of two ≥ max(4, rows / weightReadRows), so a pass is not
 * shorter than its weight tile's load, at most the bank.
 */
export function ewChunkEntries(rows: number, weightReadRows: number, bankDepth: number): number {
  let c = 1;
  while (c < Math.max(8, (2 * rows) / weightReadRows)) c *= 2;
  while (c > 1 && c > bankDepth) c /= 2;
  return c;
}

/**
 * The pipelined downsampler's walk with mapping.mapFreeEarlyWalk (templates/partials/
 * map_downsample_pipe.hbs, "Early walk"), emulated cycle by cycle: input i joins its class list
 * (class = its x, y sub-position) at link0 + i; each class keeps up to three points in slots,
 * refilled by a fetch one cycle after a take (the taken class) or woken when no refill is
 * requested (the lowest class with room, a fetchable point and nothing arriving); while the load
 * lasts a class's tail is not fetched. The merge takes the smallest head (ties to the lower class)
 * when no class holds an unfetched point with empty slots (unless that point is its tail in the
 * last linked (batch, x-slab pair)) and the head's slab lies below the last linked one's (or the
 * load has ended), through a FIFO to the output stage, which takes one point per cycle (the map
 * buffer and the output coordinates are always ready in the accelerator). Returns the walk order
 * and the output stage's cycle for each point.
 */
export function earlyWalk(coords: readonly Coord[], parentStride: number, qk: Float64Array, classes: number, link0: number): { order: number[]; go: number[] } {
  const n = coords.length;
  const order: number[] = [];
  const go: number[] = [];
  if (n === 0) return { order, go };
  const side = Math.round(Math.sqrt(classes));
  const childStride = parentStride / 2;
  const sub = (v: number) => Math.floor(v / childStride) & 1;
  const cls = new Int32Array(n);
  const slab = new Float64Array(n);
  let bmin = Infinity, xmin = Infinity, xmax = -Infinity;
  for (const c of coords) { bmin = Math.min(bmin, c[0]); xmin = Math.min(xmin, c[1]); xmax = Math.max(xmax, c[1]); }
  const xr = Math.floor((xmax - xmin) / parentStride) + 2;
  for (let i = 0; i < n; i++) {
    const c = coords[i]!;
    cls[i] = sub(c[1]) * side + sub(c[2]);
    slab[i] = (c[0] - bmin) * xr + Math.floor((c[1] - xmin) / parentStride);
  }
  const lists: number[][] = Array.from({ length: classes }, () => []);
  const slots: number[][] = Array.from({ length: classes }, () => []);
  const more = new Array<boolean>(classes).fill(false);
  const fa = new Int32Array(classes);
  const tcur = new Array<boolean>(classes).fill(false);
  let lk = -Infinity;
  let fq = false, fqCls = 0;
  let arr = false, arrCls = 0, arrPos = 0;
  const fifo: number[] = [];
  const lastLink = link0 + n - 1;
  for (let t = link0; ; t++) {
    if (t > lastLink + 64 * n + 1000) throw new Error('cycle model: early walk does not terminate');
    const ldEnd = t > lastLink;
    const tail = (c: number) => lists[c]!.length - 1;
    let win = -1;
    for (let c = 0; c < classes; c++) {
      const h = slots[c]![0];
      if (h === undefined) continue;
      if (win < 0 || qk[h]! < qk[slots[win]![0]!]!) win = c;
    }
    let unc = false;
    for (let c = 0; c < classes; c++) if (slots[c]!.length === 0 && more[c] && (ldEnd || fa[c] !== tail(c) || !tcur[c])) unc = true;
    const ewOk = !unc && (ldEnd || (win >= 0 && slab[slots[win]![0]!]! < lk));
    const fpush = fifo.length < 2 && ewOk && win >= 0;
    if (win < 0 && fifo.length === 0 && ldEnd && !more.some((m) => m) && !arr) break;
    // fetch: the refill requested by last cycle's take, else a wake-up
    let re = false, reCls = 0, rePos = 0;
    if (fq) {
      const byp: boolean = arr && arrCls === fqCls;
      const fm: boolean = byp ? arrPos !== tail(arrCls) : more[fqCls]!;
      const addr: number = byp ? arrPos + 1 : fa[fqCls]!;
      re = fm && !(!ldEnd && addr === tail(fqCls));
      reCls = fqCls;
      rePos = addr;
    } else {
      for (let c = 0; c < classes; c++) {
        if (more[c] && (ldEnd || fa[c] !== tail(c)) && slots[c]!.length !== 3 && !(arr && arrCls === c)) { re = true; reCls = c; rePos = fa[c]!; break; }
      }
    }
    const arrMore = arr && arrPos !== tail(arrCls);
    // registers
    if (fifo.length > 0) { order.push(fifo.shift()!); go.push(t); }
    if (fpush) fifo.push(slots[win]!.shift()!);
    if (arr) { slots[arrCls]!.push(lists[arrCls]![arrPos]!); more[arrCls] = arrMore; fa[arrCls] = arrPos + 1; }
    if (t - link0 < n) {
      const i = t - link0;
      const c = cls[i]!;
      if (lists[c]!.length === 0) { more[c] = true; fa[c] = 0; }
      lists[c]!.push(i);
      for (let k = 0; k < classes; k++) tcur[k] = k === c || (tcur[k]! && slab[i] === lk);
      lk = slab[i]!;
    }
    fq = fpush;
    fqCls = win;
    arr = re;
    arrCls = reCls;
    arrPos = rePos;
  }
  return { order, go };
}

export function mtChunkEntries(rows: number, bankDepth: number): number {
  let c = 1;
  while (c < 2 * rows) c *= 2;
  while (c > 1 && c > bankDepth) c /= 2;
  return c;
}

export interface ReplayResult {
  total: number;
  coordLoad: number;
  mapping: number;
  downsample: number;
  merge: number;
  comparisons: number;
  compute: number;
  lastRow: number;
  tail: number;
  passes: number;
  /** Passes that loaded a weight tile (the others reused the tile of the pass before). */
  tileLoads: number;
  drainRows: number;
  /**
   * Event cycles from START: the first and last feature word in, the map complete, the last row
   * into the matrix unit, the last output word sent (−Infinity: no drain-port drain).
   */
  events: {
    featStart: number; featEnd: number; mapDone: number; lastRow: number; streamEnd: number;
    /** Cycles the downsampler's walk (map-free layers) waited for a point's (its parent's) features. */
    walkFeatureWait: number;
    /** Drain port marks: the first drained word's cycle (−1: none) and the cycles between it and streamEnd with no final word to drain. */
    drainFirst: number; drainIdle: number;
  };
  /** Passes whose first row hits the previous pass's last address back to back (a stall without scatter forwarding). */
  hazards: number;
  /**
   * Pass-list replay (accel_sched, gatherScatter.passListDepth): the passes recorded (−1: no pair
   * recorded: off, a map-free layer with drain marks, or no pair started on a complete map), the
   * pairs replayed, and whether the list did not fit (every pair walked).
   */
  passList: { recorded: number; replayedPairs: number; fallback: boolean };
  /**
   * Where the cycles between START and the last row went (issue 13's breakdown): total =
   * startup + compute + gaps + outStream + (total − lastRow). startup: START → the first pass's
   * first row (coordinate load, tables, first weight pair, features, map); gaps between passes by
   * what held the next pass: tileLoad (its weight tile could not load before the previous pass had
   * started and `rows` cycles passed: a pass shorter than a tile load), weightStream (its tile's
   * words were not yet in the weight ring), schedule (the scheduler had not issued it: the bank
   * walk, map entries or features not yet there), descFifo (a descriptor FIFO was full); outStream:
   * a final pass held by the output stream.
   */
  loss: { startup: number; tileLoad: number; weightStream: number; schedule: number; descFifo: number; outStream: number };
}

/** Calibration constants (cycles), fitted once against the co-simulation (test/accel/cycle-model.test.ts). */
export const REPLAY_CONST = {
  start: 2,
  dsPerPoint: 1,
  dsFixed: -1,
  mapEnd: 2,
  entryLatency: 3,
  rowLatency: 3,
  tailFixed: 12,
  outFifo: 16,
  mapDoneLat: 2,
  /** Weight-descriptor FIFO: a pass's descriptor waits until the pass descDepth before it has started. */
  descDepth: 5,
  /**
   * Gather-descriptor FIFO (accel_gather; derive/accel.ts descFifoDepth): a descriptor is popped
   * when the gather issues the pass's last entry, which runs gatherLead cycles ahead of the matrix
   * unit (its two stages and credit FIFO) while the matrix unit is busy. Binds when passes are
   * short (offset grouping, few points per bank, many channel tiles): 2–9 % of a layer before.
   */
  gDescDepth: 4,
  gatherLead: 4,
  issueLat: 3,
  /** Descriptor push → the weight fetcher's first row of the pass's tile (accel_wfetch). */
  fetchLat: 2,
  /**
   * A later pair's tile (WREST): its last word written → the fetcher may read it (the ring's fill
   * count registered, then compared). Measured on map-free conv / transposed layers with several
   * channel-tile pairs, whose passes wait for these tiles (2 cycles early per pair before).
   */
  ringFill: 2,
  /** Map-free: first pop after the downsampler's start, pop → bank write, last pop → map done. */
  mfFirst: 0,
  mfEntry: 3,
  mfEnd: 3,
  /** Drain port: last row of a cout tile into the matrix unit → first drain read; drain read → DONE. */
  drainLat: 8,
  drainRd: 0,
  drainTail: 8,
  /** Map-free conv: the map's end → the last output coordinate sent. */
  mfCoordEnd: 0,
  /**
   * Interleaved output (exact replay, {@link replayLayer}): a pass's last row into the matrix unit
   * (the cycle after) → the drain's completed-pass count includes it (accel_drain pcd_q); a mark
   * taken (mk_hit) → its first word's beat on an idle output stream (drain read, credit FIFO,
   * post-processing, accel_output sv_q); the last output beat → PERF_TOTAL_CYCLES' end (DONE).
   */
  ilPassDone: 6,
  ilWordLat: 9,
  ilDone: 2,
  /** Pipelined downsampler merge: the taken-point FIFO between the merge and the output stage. */
  dsPipeFifo: 1,
  /** mapping.mapFreeEarlyWalk: coordinate beat i joins the downsampler's class lists at start + ewLink + i. */
  ewLink: 0,
  /** mapping.comparePipeline: the engine's S_DECODE cycle before its registered START checks. */
  checkPipe: 1,
  /** mapping.overlapLoad: first dispatch relative to `start`; coordinate beat i → readable by a lane at start + i + ovlAvail. */
  ovlStart: -1,
  ovlAvail: 1,
  /** Gather: a feature word loaded at t → its row into the matrix unit at t + featRowLat. */
  featRowLat: 3,
};

/**
 * Keys as exact doubles: (b, x, y, z) in mixed radix R, fields biased by R/2 so that canonical order
 * is numeric order and a kernel shift is one addition (like the RTL's guard-bit extended keys).
 */
function keyRadix(lists: readonly (readonly Coord[])[], maxShift: number): { R: number; key: (c: Coord) => number } {
  let bMax = 0;
  // Per batch and axis: the lowest and highest coordinate.
  const box = new Map<number, { lo: number[]; hi: number[] }>();
  for (const l of lists) for (const c of l) {
    bMax = Math.max(bMax, c[0]);
    let e = box.get(c[0]);
    if (!e) box.set(c[0], (e = { lo: [Infinity, Infinity, Infinity], hi: [-Infinity, -Infinity, -Infinity] }));
    for (let a = 0; a < 3; a++) { e.lo[a] = Math.min(e.lo[a]!, c[a + 1]!); e.hi[a] = Math.max(e.hi[a]!, c[a + 1]!); }
  }
  const radix = (centre: (b: number) => readonly number[]): { R: number; m: number } => {
    let m = maxShift;
    for (const [b, e] of box) {
      const o = centre(b);
      for (let a = 0; a < 3; a++) m = Math.max(m, Math.abs(e.lo[a]! - o[a]!), Math.abs(e.hi[a]! - o[a]!));
    }
    let R = 4;
    while (R < 4 * (m + 1)) R *= 2;
    return { R, m };
  };
  // Keys are taken about the origin; when that does not fit a double (a georeferenced batch on a
  // spec with a wide coordWidth), each batch is keyed about its own midpoint instead. Keys only
  // need order within a batch and the kernel shift (which never crosses a batch) to be exact, and
  // both are translation invariant (callers quantize before keying).
  const ORIGIN = [0, 0, 0] as const;
  const mid = new Map<number, number[]>();
  for (const [b, e] of box) mid.set(b, [0, 1, 2].map((a) => Math.floor((e.lo[a]! + e.hi[a]!) / 2)));
  let centre: (b: number) => readonly number[] = () => ORIGIN;
  let { R, m } = radix(centre);
  if ((bMax + 1) * R * R * R > 2 ** 53) {
    centre = (b) => mid.get(b) ?? ORIGIN;
    ({ R, m } = radix(centre));
  }
  if ((bMax + 1) * R * R * R > 2 ** 53) throw new RangeError(`cycle model: coordinates too wide for exact keys (a batch spans ±${m} about its midpoint, batch ≤ ${bMax})`);
  const h = R / 2;
  return {
    R,
    key: (c) => {
      const o = centre(c[0]);
      return ((c[0] * R + (c[1] - o[0]! + h)) * R + (c[2] - o[1]! + h)) * R + (c[3] - o[2]! + h);
    },
  };
}

interface Run {
  lane: number;
  kidx: number;
  mirror: boolean;
  /** Entry times (cycle the slot is written) and the max gathered index of the entries. */
  times: number[];
  maxIn: number[];
  maxOut: number[];
}

const nextPow2 = (v: number): number => {
  let p = 1;
  while (p < v) p *= 2;
  return p;
};

/** The merge's result of one run: its runs (read-only afterwards), comparisons, end and last dispatch. */
interface MergeResult {
  runs: readonly Run[];
  comparisons: number;
  mapDone: number;
  dispatchT: number;
}
// Keyed by the coordinate arrays themselves (the searches pass the same arrays), so a memo entry
// lives as long as its run's coordinates; the key string holds everything else the merge reads.
const mergeMemo = new WeakMap<readonly Coord[], WeakMap<readonly Coord[], Map<string, MergeResult>>>();
function mergeMemoGet(inC: readonly Coord[], outC: readonly Coord[], key: string): MergeResult | undefined {
  return mergeMemo.get(inC)?.get(outC)?.get(key);
}
function mergeMemoSet(inC: readonly Coord[], outC: readonly Coord[], key: string, r: MergeResult): void {
  let a = mergeMemo.get(inC);
  if (!a) { a = new WeakMap(); mergeMemo.set(inC, a); }
  let b = a.get(outC);
  if (!b) { b = new Map(); a.set(outC, b); }
  b.set(key, r);
}

export function replayLayer(p: ReplayParams, L: ReplayLayer): ReplayResult {
  const C = p.comparePipeline ? { ...REPLAY_CONST, start: REPLAY_CONST.start + REPLAY_CONST.checkPipe } : REPLAY_CONST;
  const nIn = L.inCoords.length;
  const nOut = L.outCoords.length;
  const k = L.kernelSize;
  const kv = k * k * k;
  const trans = L.type === 'transposed';
  const half = L.type === 'submanifold' && k % 2 === 1;
  const dswShift = trans ? L.inTensorStride / L.stride : L.inTensorStride;
  const { R: KEY_R, key: keyOf } = keyRadix([L.inCoords, L.outCoords], (k - 1) * dswShift);
  const inKeys = new Float64Array(nIn);
  for (let i = 0; i < nIn; i++) inKeys[i] = keyOf(L.inCoords[i]!);
  const outKeys = new Float64Array(nOut);
  for (let i = 0; i < nOut; i++) outKeys[i] = keyOf(L.outCoords[i]!);

  // ---- coordinate load and downsampling
  const reuse = L.reuseMap === true && L.type === 'submanifold';
  const coordLoad = reuse ? 0 : nIn + (trans ? nOut : 0);
  let downsample = 0;
  const mf = p.mapFree && L.type === 'conv' && k === 2 && L.stride === 2 && p.lanes >= 8;
  const mt = p.mapFree && p.mapFreeTrans === true && trans && k === 2 && L.stride === 2 && p.lanes >= 8;
  // The pipelined merge (templates/partials/map_downsample_pipe.hbs) adds 2·classes cycles of
  // start-up and one of FIFO.
  const dsStart = p.comparePipeline ? 3 * p.dsClasses + C.dsPipeFifo : p.dsClasses;
  if (L.type === 'conv' && !mf) downsample = dsStart + C.dsFixed + Math.round(C.dsPerPoint * nIn);
  // mapping.overlapLoad: submanifold / transposed jobs start with the load; a read of input i
  // (output j) waits until the loaded count covers it (map_lane.v.hbs a_ok / b_ok / bkey_ok / mid_ok).
  const ovl = p.overlapLoad === true && !reuse && !mt && (L.type === 'submanifold' || trans);
  const mapStart = ovl ? C.start + C.ovlStart : C.start + coordLoad + downsample;
  const inAt = (i: number): number => (ovl ? C.start + i + C.ovlAvail : -Infinity);
  const outAt = (j: number): number => (ovl ? C.start + (trans ? nIn : 0) + j + C.ovlAvail : -Infinity);

  // ---- merge: dispatcher and lanes
  const lanes = Math.max(1, p.lanes);
  const S = lanes === 1 ? 1 : nextPow2(lanes);
  const hk = k % 2 === 1 ? (k - 1) / 2 : 0;
  const dsw = dswShift;
  const lastK = half ? (kv - 1) / 2 : kv - 1;
  const laneFree = new Array<number>(lanes).fill(mapStart);
  const runs: Run[] = [];
  const laneRun: (Run | undefined)[] = new Array(lanes).fill(undefined);
  let comparisons = 0;
  let dispatchT = mapStart;
  let mapDone = mapStart;
  // Map-free (templates/mapping/map_downsample.v.hbs): the downsampler's merge order is (Q, class,
  // input index); each point it takes is the entry (input, rank of its Q, sub-position) in the
  // lane of its kernel index, taken one per cycle once its features have arrived.
  // The downsampler's walk (map-free conv over the inputs, map-free transposed over the given
  // outputs): points in (parent Q, class, index) order, parents at `parentStride`; sub(v) is a
  // coordinate's sub-position bit. The first feature beat follows the coordinates, every cout
  // tile's tables and the first weight pair.
  const parentWalk = (coords: readonly Coord[], parentStride: number) => {
    const childStride = parentStride / 2;
    const q = (v: number) => Math.floor(v / parentStride) * parentStride;
    const sub = (v: number) => Math.floor(v / childStride) & 1;
    const order = Array.from({ length: coords.length }, (_, i) => i);
    const qk = new Float64Array(coords.length);
    const cls = new Int32Array(coords.length);
    for (let i = 0; i < coords.length; i++) {
      const c = coords[i]!;
      qk[i] = keyOf([c[0], q(c[1]), q(c[2]), q(c[3])]);
      cls[i] = sub(c[1]) * 2 + sub(c[2]);
    }
    order.sort((a, b) => qk[a]! - qk[b]! || cls[a]! - cls[b]! || a - b);
    return { order, qk, sub };
  };

  const tb0 = Math.ceil((p.cols * p.accWidth) / p.axisDataWidth) * (L.bias ? 1 : 0)
    + (L.requant ? Math.ceil((p.cols * p.multiplierWidth) / p.axisDataWidth) + Math.ceil((p.cols * p.shiftWidth) / p.axisDataWidth) : 0);
  // ---- the input stream after the coordinates (accel_loader): tables, the first pair's tiles —
  // with buffers.w0Interleave in w0Slot order, each followed by W0_BLOCK feature words —, the rest
  // of FEAT, WREST. featT(j): the cycle feature word j is in; tileT0(k): kernel index k's tile of
  // the first pair is in.
  const tileBeatsL = p.rows * Math.ceil((p.cols * (p.weightWidth + p.positionBits)) / p.axisDataWidth);
  const fbL = Math.ceil((p.xRows * p.inWidth) / p.axisDataWidth);
  const featWordsL = L.featOnChip ? 0 : Math.ceil(L.inChannels / p.xRows) * nIn;
  const w0StartL = C.start + coordLoad + Math.ceil(L.outChannels / p.cols) * tb0;
  const G = p.w0Interleave ? (L.w0Block ?? 0) : 0;
  const order = p.w0Interleave ? w0SlotOrder(kv) : Array.from({ length: kv }, (_, i) => i);
  const slotOf = (kk: number) => (p.w0Interleave ? w0Slot(kk, kv) : kk);
  const featT = (j: number) => w0StartL + (G > 0 ? Math.min(kv, Math.floor(j / G) + 1) : kv) * tileBeatsL + (j + 1) * fbL;
  const tileT0 = (kk: number) => w0StartL + (slotOf(kk) + 1) * tileBeatsL + Math.min(slotOf(kk) * G, featWordsL) * fbL;
  const featTimes = new Float64Array(featWordsL);
  for (let j = 0; j < featWordsL; j++) featTimes[j] = featT(j);
  const featCount = (t: number) => { let lo = 0, hi = featWordsL; while (lo < hi) { const m = (lo + hi) >> 1; if (featTimes[m]! <= t) lo = m + 1; else hi = m; } return lo; };
  const featStart0 = featT(0) - fbL;
  let mfFirstWord = -1;
  // Projections (p.projection: map-free conv; map-free transposed: chunkMin, tileLoadCycles, walkDuringLoad).
  const pj = mf || mt ? p.projection : undefined;
  const pOut = pj?.output ?? (mf && p.outputInterleaved === true && L.wordsOnChip !== true ? 'interleaved' : 'sections');
  const coordT: number[] = [];
  let walkFeatureWait = 0;
  if (mf) {
    const { order: qOrder, qk, sub } = parentWalk(L.inCoords, L.inTensorStride * 2);
    const laneRuns: Run[] = [];
    // mapping.mapFreeEarlyWalk: the walk's order and output-stage cycles come from an emulation of
    // the pipelined merge while the class lists grow (earlyWalk below).
    const ew = (p.ewChunk ?? 0) > 0 && !pj ? earlyWalk(L.inCoords, L.inTensorStride * 2, qk, p.dsClasses, C.start + C.ewLink) : null;
    const order = ew ? ew.order : qOrder;
    let tp = (pj?.walkDuringLoad ? C.start : mapStart) + dsStart + C.mfFirst;
    let inArrive: Float64Array | undefined;
    if (pj?.walkDuringLoad && pj.walkSlabGate) {
      const ts2 = L.inTensorStride * 2;
      const slab = (c: Coord) => c[0] * 2 ** 40 + Math.floor(c[1] / ts2);
      inArrive = new Float64Array(nIn);
      let next = C.start + nIn + C.ovlAvail;
      for (let i = nIn - 1; i >= 0; i--) {
        if (i + 1 < nIn && slab(L.inCoords[i + 1]!) !== slab(L.inCoords[i]!)) next = C.start + i + 1 + C.ovlAvail;
        inArrive[i] = next;
      }
    }
    let rank = -1;
    let prevQ = NaN;
    for (let j = 0; j < nIn; j++) {
      const i = order[j]!;
      const c = L.inCoords[i]!;
      const kidx = sub(c[1]) + 2 * sub(c[2]) + 4 * sub(c[3]);
      // the point's features are in once featLoaded > i (at START when they are kept on chip);
      // projected walk during the load: the point's coordinate is in
      if (ew) tp = ew.go[j]!;
      else if (inArrive) tp = Math.max(tp, inArrive[i]! + 1);
      else if (pj?.walkDuringLoad) tp = Math.max(tp, C.start + i + C.ovlAvail + 1);
      else if (!L.featOnChip && featT(i) > tp) { walkFeatureWait += featT(i) - tp; tp = featT(i); }
      if (qk[i] !== prevQ) { rank++; prevQ = qk[i]!; coordT.push(tp + C.mfEntry); }
      let run = laneRuns[kidx];
      if (!run) { run = { lane: kidx, kidx, mirror: false, times: [], maxIn: [], maxOut: [] }; laneRuns[kidx] = run; runs.push(run); }
      run.times.push(tp + C.mfEntry);
      run.maxIn.push(i);
      run.maxOut.push(rank);
      if (mfFirstWord < 0) mfFirstWord = tp;
      tp += 1 / (pj?.walkPerCycle ?? 1);
    }
    mapDone = Math.ceil(tp) + C.mfEnd;
  }
  // Map-free transposed (templates/partials/map_ds_parent.hbs): the downsampler walks the given
  // outputs in (parent Q, class, index) order; a pointer into the input list matches each parent
  // (an input without children costs one cycle); an output with a parent is the entry (parent,
  // output, sub-position) in the lane of its kernel index, taken once the parent's features have
  // arrived; one without is taken at once. mtLeave[j] / mtOut[j]: when the j-th output walked
  // leaves the engine (its entry written) and its index, for the progress frontier.
  const mtLeave: number[] = [];
  const mtOut: number[] = [];
  if (mt) {
    const { order, qk, sub } = parentWalk(L.outCoords, L.inTensorStride);
    const laneRuns: Run[] = [];
    // Projection walkDuringLoad: the walk starts with the output coordinates (after the inputs'),
    // not gated by features; output o's parent has all its children linked once an output of a
    // later (batch, parent x) has arrived, or the load has ended (outArrive[o]).
    const wdl = pj?.walkDuringLoad === true;
    const outArrive = new Float64Array(wdl ? nOut : 0);
    if (wdl) {
      const slab = (c: Coord) => c[0] * 2 ** 40 + Math.floor(c[1] / L.inTensorStride);
      let next = C.start + nIn + nOut + C.ovlAvail;
      for (let i = nOut - 1; i >= 0; i--) {
        if (i + 1 < nOut && slab(L.outCoords[i + 1]!) !== slab(L.outCoords[i]!)) next = C.start + nIn + i + 1 + C.ovlAvail;
        outArrive[i] = next;
      }
    }
    let tp = (wdl ? C.start + nIn : mapStart) + dsStart + C.mfFirst;
    let ci = 0;
    for (let j = 0; j < nOut; j++) {
      const o = order[j]!;
      const Q = qk[o]!;
      if (wdl) tp = Math.max(tp, outArrive[o]!);
      // nxt below the parent: the pointer advances, the output waits a cycle
      while (ci + 1 < nIn && inKeys[ci + 1]! < Q) { ci++; tp++; }
      let par = -1;
      if (nIn > 0 && inKeys[ci]! === Q) par = ci;
      else if (ci + 1 < nIn && inKeys[ci + 1]! === Q) { par = ci + 1; ci++; }
      if (par < 0) {
        // (it leaves the engine's frontier at once; counted with an entry's latency so that the
        // leave times stay ascending — the frontier only looks later, never wrong)
        mtLeave.push(tp + C.mfEntry + C.entryLatency);
        mtOut.push(o);
        tp++;
        continue;
      }
      const c = L.outCoords[o]!;
      const kidx = sub(c[1]) + 2 * sub(c[2]) + 4 * sub(c[3]);
      if (!wdl && !L.featOnChip && featT(par) > tp) { walkFeatureWait += featT(par) - tp; tp = featT(par); }
      let run = laneRuns[kidx];
      if (!run) { run = { lane: kidx, kidx, mirror: false, times: [], maxIn: [], maxOut: [] }; laneRuns[kidx] = run; runs.push(run); }
      run.times.push(tp + C.mfEntry);
      run.maxIn.push(par);
      run.maxOut.push(o);
      mtLeave.push(tp + C.mfEntry + C.entryLatency);
      mtOut.push(o);
      tp++;
    }
    mapDone = tp + C.mfEnd;
  }
  // Jobs offset-major (every segment of offset 0, then offset 1, …) or segment-major (every
  // offset of segment 0, then segment 1, …), in the dispatcher's order.
  const K1 = lastK + 1;
  // Offset-grouped passes make the engine dispatch offset-major (om_i): banks aligned by kernel index.
  const segMajor = p.segmentMajor && K1 * S <= p.runTableRuns && L.passGrouping !== 'offset';
  // mapping.nearFirstJobs: a segment's jobs near offsets first (map_engine jk_kidx).
  const jobOrder = segMajor && p.nearFirst === true ? nearFirstOrder(k, half) : Array.from({ length: K1 }, (_, i) => i);
  // The merge does not depend on the pass grouping (unless it makes the dispatch offset-major) nor
  // on W0_BLOCK (map-free walks aside, which wait for features): the host's searches replay the
  // same run under several of those, so its result is kept per (coordinates, parameters).
  const memoable = !mf && !mt && !reuse;
  const memoKey = memoable ? JSON.stringify([p, L.type, k, L.stride, L.inTensorStride, segMajor, mapStart]) : '';
  const memoHit = memoable ? mergeMemoGet(L.inCoords, L.outCoords, memoKey) : undefined;
  if (memoHit) {
    runs.push(...memoHit.runs);
    comparisons = memoHit.comparisons;
    mapDone = memoHit.mapDone;
    dispatchT = memoHit.dispatchT;
  }
  for (let job = 0; job < (mf || mt || memoHit ? 0 : K1 * S); job++) {
    const kidx = segMajor ? jobOrder[job % K1]! : Math.floor(job / S);
    const seg = segMajor ? Math.floor(job / K1) : job % S;
    const ix = kidx % k, iy = Math.floor(kidx / k) % k, iz = Math.floor(kidx / (k * k));
    const dx = (ix - hk) * dsw, dy = (iy - hk) * dsw, dz = (iz - hk) * dsw;
    const dkey = (dx * KEY_R + dy) * KEY_R + dz;
    const shift = trans ? dkey : -dkey;
    const mirror = half && kidx !== lastK;
    const centre = half && kidx === lastK;
    {
      // lowest idle lane at the earliest cycle ≥ dispatchT
      let l = 0;
      for (let m = 1; m < lanes; m++) if (Math.max(laneFree[m]!, dispatchT) < Math.max(laneFree[l]!, dispatchT)) l = m;
      const a = Math.max(laneFree[l]!, dispatchT);
      dispatchT = a + 1;
      const qLo = Math.floor((seg * nOut) / S);
      const qHi = Math.floor(((seg + 1) * nOut) / S);
      let end: number;
      if (nIn === 0 || qLo === qHi) {
        end = a + 1;
      } else {
        let lo = 0;
        let cyc = a + 1;
        if (qLo !== 0) {
          let hi = nIn;
          const bq = outKeys[qLo]!;
          cyc = Math.max(cyc, outAt(qLo)) + 2;
          for (;;) {
            const mid = (lo + hi) >> 1;
            cyc = Math.max(cyc, inAt(mid)) + 2;
            if (inKeys[mid]! + shift < bq) lo = mid + 1;
            else hi = mid;
            if (lo === hi) break;
          }
        }
        if (lo === nIn) {
          end = cyc;
        } else {
          // RUN at cyc: first comparison at cyc + 2. A bank's run is a maximal stretch of one kernel
          // index among the entries *written* (accel_mapbuf): a job without entries, or the centre
          // offset's dropped entries, does not end it.
          let ia = lo, ib = qLo, c = 0;
          let run = laneRun[l];
          let t = cyc + 2;
          for (;;) {
            const ka = inKeys[ia]! + shift, kb = outKeys[ib]!;
            if (ovl) t = Math.max(t, inAt(ia) + 2, outAt(ib) + 2);
            const step = t;
            t++;
            c++;
            let fin = false;
            if (ka < kb) { fin = ia === nIn - 1; ia++; }
            else if (ka > kb) { fin = ib === qHi - 1; ib++; }
            else {
              if (!centre) {
                if (!run || run.kidx !== kidx) {
                  run = { lane: l, kidx, mirror, times: [], maxIn: [], maxOut: [] };
                  runs.push(run);
                  laneRun[l] = run;
                }
                run.times.push(step); run.maxIn.push(ia); run.maxOut.push(ib);
              }
              fin = ia === nIn - 1 || ib === qHi - 1;
              ia++; ib++;
            }
            if (fin) break;
          }
          comparisons += c;
          end = t;
        }
      }
      laneFree[l] = end;
      if (end > mapDone) mapDone = end;
    }
  }
  if (memoable && !memoHit) mergeMemoSet(L.inCoords, L.outCoords, memoKey, { runs: runs.slice(), comparisons, mapDone, dispatchT });
  mapDone = Math.max(mapDone, dispatchT);
  // The end-of-map word follows the load (S_MAP_END is entered from S_MAP only).
  if (ovl) mapDone = Math.max(mapDone, C.start + coordLoad);
  let mapEnd = mapDone + C.mapEnd;
  if (reuse) {
    // The same runs, all written before the layer started.
    for (const r of runs) r.times.fill(C.start - C.entryLatency);
    mapDone = C.start - C.mapDoneLat;
    mapEnd = 0;
    comparisons = 0;
  }
  // The merge counted after the load (PERF_MAPPING_CYCLES), as the RTL counts it.
  const merge = reuse || mf || mt ? 0 : mapEnd - (ovl ? Math.min(mapEnd, C.start + coordLoad) : mapStart);
  if (mf || mt) downsample = mapEnd - C.start - coordLoad;

  // ---- datapath
  const { rows, cols } = p;
  const ti = Math.ceil(L.inChannels / p.xRows);
  const to = Math.ceil(L.outChannels / cols);
  const W = p.axisDataWidth;
  const beats = (bits: number) => Math.ceil(bits / W);
  const wb = beats(cols * (p.weightWidth + p.positionBits));
  const fb = beats(p.xRows * p.inWidth);
  const tableBeats = to * ((L.bias ? beats(cols * p.accWidth) : 0) + (L.requant ? beats(cols * p.multiplierWidth) + beats(cols * p.shiftWidth) : 0));
  const w0Start = C.start + coordLoad + tableBeats;
  const featStart = featStart0;
  // Fusion: features kept on chip are all there at START and the stream has no FEAT section.
  const featOnChip = L.featOnChip === true;
  const wrestStart = w0Start + kv * rows * wb + (featOnChip ? 0 : ti * nIn * fb);
  const kr = kv * rows;
  // Map-free transposed with the drain port: a pass per rows entries (accel_sched chunkMinMtLit).
  // Map-free conv with the interleaved output: the same (accel_sched mfRowChunks). A tile loads in
  // tileLoad cycles (buffers.weightReadRows rows per cycle) and the threshold follows it
  // (accel_sched chunkMinMtLit: max(4, rows / weightReadRows)).
  const tileLoad = pj?.tileLoadCycles ?? Math.ceil(rows / (p.weightReadRows ?? 1));
  const chunkMin = pj?.chunkMin ?? ((mt || (mf && p.outputInterleaved === true)) && p.drainPort === true ? Math.max(4, tileLoad) : 2 * rows);
  // Map-free transposed with marks: in the last cin-tile pair a closed run is passed in chunks of
  // mtChunk entries, bank after bank, so the outputs become final while the pair still computes.
  const mtChunk = mt && p.drainPort === true && p.mtChunk !== undefined ? p.mtChunk : 0;
  const ewChunk = mf && !pj ? (p.ewChunk ?? 0) : 0;
  // Start-up checkpoints are recorded once an open run holds rows entries (accel_sched ckMinLit).
  const ckMin = rows;
  const centreK = half ? (kv - 1) / 2 : -1;
  // Words kept on chip only go into the feature buffer, one per cycle.
  const wordBeats = L.wordsOnChip ? 1 : beats(cols * (L.requant ? p.outWidth : p.accWidth));
  // Map-free conv with the interleaved output (built, or projected) is replayed cycle-exact from
  // the bank writes: an entry counts in the scheduler's wr_ptr the cycle it is written (the merge
  // lanes' entries keep their calibrated latency; so do map-free layers with the sections output,
  // whose words wait for the walk's end).
  const ilExact = mf && p.drainPort === true && pOut === 'interleaved' && L.wordsOnChip !== true;
  const EL = ilExact ? 0 : C.entryLatency;
  // Banks: the runs of each lane, entries with their write time and indices.
  const banks: Run[][] = Array.from({ length: lanes }, () => []);
  let entries = 0;
  for (const r of runs) {
    if (r.times.length === 0) continue;
    banks[r.lane]!.push(r);
    entries += r.times.length * (r.mirror ? 2 : 1);
  }
  // prefix maxima of the gathered indices, per run
  const pmaxIn = new Map<Run, Int32Array>();
  const pmaxOut = new Map<Run, Int32Array>();
  for (const b of banks) for (const r of b) {
    const a = new Int32Array(r.times.length), o = new Int32Array(r.times.length);
    let mi = -1, mo = -1;
    for (let j = 0; j < r.times.length; j++) { mi = Math.max(mi, r.maxIn[j]!); mo = Math.max(mo, r.maxOut[j]!); a[j] = mi; o[j] = mo; }
    pmaxIn.set(r, a); pmaxOut.set(r, o);
  }
  const mapDoneT = mapDone + C.mapDoneLat;
  const runStart = (r: Run) => r.times[0]! + EL;
  const written = (r: Run, t: number) => {
    // entries of r written by t (times ascending)
    const ts = r.times;
    if (ts.length === 0 || ts[0]! + EL > t) return 0;
    if (ts[ts.length - 1]! + EL <= t) return ts.length;
    let lo = 0, hi = ts.length;
    while (lo < hi) { const m = (lo + hi) >> 1; if (ts[m]! + EL <= t) lo = m + 1; else hi = m; }
    return lo;
  };
  const featLoaded = (t: number) => (featOnChip ? Infinity : featCount(t));
  // compute side
  // Features kept on chip: a pass waits only for its tile (with w0Interleave the first pair's tiles
  // come in the order the scheduler first needs them, so compute starts before the last one).
  let cur = featOnChip ? w0Start : featStart;
  let passes = 0;
  let tileLoads = 0;
  let prevStart = -Infinity;
  // Start of the last pass that loaded a tile: the next load overlaps it (double buffering); a
  // pass that reuses the held tile loads nothing.
  let loadRef = -Infinity;
  // The weight fetcher serves descriptors in order: the cycle after its last beat so far.
  let fetchEnd = -Infinity;
  const starts: number[] = [];
  // The cycle after each pass's last row enters the matrix unit.
  const rowsEnd: number[] = [];
  const release: number[] = [];
  let tileArr = new Float64Array(kv);
  let streamT = wrestStart;
  let lastOut = -1;
  let hazards = 0;
  const loss = { startup: 0, tileLoad: 0, weightStream: 0, schedule: 0, descFifo: 0, outStream: 0 };
  // The gather waits row by row until a row's feature word is loaded (accel_gather feat_ok): the
  // row of gathered feature g enters the matrix unit at the earliest featRowLat cycles after it.
  const featRowT = (g: number) => (featOnChip ? -Infinity : featT(g) + C.featRowLat);
  let gatherOf: ((j: number) => number) | null = null;
  const doPass = (issue: number, len: number, kidx: number, final: boolean, outFirst: number, outLast: number, reuse = false): number => {
    const gat = gatherOf;
    gatherOf = null;
    // Both descriptor FIFOs must have room: the weight fetcher's (a slot frees as the pass
    // descDepth back starts) and the gather's (a slot frees when the gather issues the last entry
    // of the pass gDescDepth back, gatherLead cycles before that row enters the matrix unit).
    const q = starts.length - C.descDepth;
    const qg = rowsEnd.length - C.gDescDepth;
    const emit = Math.max(issue, q >= 0 ? starts[q]! : -Infinity, qg >= 0 ? rowsEnd[qg]! - C.gatherLead : -Infinity);
    let st: number;
    // What set the pass's start (for the breakdown): the issue (schedule or a full descriptor FIFO) or the tile load.
    let why: 'schedule' | 'descFifo' | 'tileLoad' | 'weightStream' = emit > issue ? 'descFifo' : 'schedule';
    if (reuse) {
      // The tile the matrix unit holds serves this pass too (REUSE): nothing to load, one beat
      // behind the fetcher's previous beats that tells the matrix unit so.
      const rb = Math.max(emit + C.fetchLat, fetchEnd);
      fetchEnd = rb + 1;
      st = Math.max(cur, emit + C.issueLat, rb + 1);
    } else {
      const tileT = kidx < 0 ? -Infinity : tileArr[kidx]!;
      // The fetcher loads a pass's weight tile (tileLoad beats; a drain pass's ZERO tile is one beat)
      // once the previous loaded tile is in use, the words are in the ring and the descriptor is there.
      const loadStart = Math.max(loadRef, tileT, emit + C.fetchLat, fetchEnd);
      const loaded = loadStart + (kidx < 0 ? 1 : tileLoad);
      fetchEnd = loaded;
      st = Math.max(cur, emit + C.issueLat, loaded);
      if (loaded > emit + C.issueLat && loadStart > emit + C.fetchLat) why = tileT >= loadRef ? 'weightStream' : 'tileLoad';
      tileLoads++;
    }
    if (outFirst === lastOut && st === cur) {
      hazards++;
      if (!p.scatterForwarding) st += 1;
    }
    // Rows wait for their features (row j at ≥ featRowT(g_j)): the pass ends len cycles after
    // max(st, max_j featRowT(g_j) − j).
    let st2 = st;
    if (gat) for (let j = 0; j < len; j++) st2 = Math.max(st2, featRowT(gat(j)) - j);
    // (rows held by their features count with the start-up on the first pass, else as schedule)
    if (starts.length === 0) loss.startup = st2;
    else { loss[why] += st - cur; loss.schedule += st2 - st; }
    if (final) loss.outStream += Math.max(len, len * wordBeats - C.outFifo) - len;
    prevStart = st;
    if (!reuse) loadRef = st;
    starts.push(st);
    rowsEnd.push(st2 + len);
    cur = st2 + (final ? Math.max(len, len * wordBeats - C.outFifo) : len);
    lastOut = outLast;
    passes++;
    return emit;
  };
  const grouped = L.passGrouping === 'offset';
  // Pass-list replay (accel_sched pl_*): the runs' passes of the recording pair, in push order.
  interface RecPass { r: Run; s0: number; len: number; swap: boolean; kidx: number; outFirst: number; outLast: number; reuse: boolean }
  const plDepth = p.passListDepth ?? 0;
  let plState: 'none' | 'rec' | 'ok' | 'over' = 'none';
  const plList: RecPass[] = [];
  let plPairs = 0;
  const note = (rp: RecPass) => {
    if (plState !== 'rec') return;
    if (plList.length === plDepth) plState = 'over';
    else plList.push(rp);
  };
  /**
   * Per-bank start-up checkpoints (accel_sched ckp/ckl): a run and an entry count, cleared per
   * pair; recorded by the bank walk only (the offset-grouped walk passes whole runs).
   */
  interface Checkpoints { run: (Run | null)[]; at: Int32Array }
  // The checkpoint's features (its last entry's gathered indices) are loaded at DEC.
  const ckReady = (r: Run, at: number, fbase: number, tDec: number) => {
    // The layer's first pass goes without its feature check (accel_sched fp_q).
    if (passes === 0) return true;
    const fl = featLoaded(tDec);
    return fbase + pmaxIn.get(r)![at - 1]! < fl && (!r.mirror || fbase + pmaxOut.get(r)![at - 1]! < fl);
  };
  /**
   * The offset-grouped walk of one pair (accel_sched, policy 1), from RD0 of bank 0 at `t0` to FIN:
   * one pass of the target (kernel index, phase) per bank and round; a new target (the smallest
   * {kernel index, phase} any bank offered) after a round without a pass of it, or after any round
   * once the map is complete. Returns the cycle of FIN.
   */
  const replayGrouped = (seg: Int32Array, ptr: Int32Array, t0: number, fbase: number): number => {
    const mptr = new Int32Array(lanes);
    let t = t0;
    let bank = 0;
    let tk = 0, tph = 0, hit = false, cv = false, ckey = 0;
    let pk = -1;
    const offer = (key: number) => { if (!cv || key < ckey) { cv = true; ckey = key; } };
    // The key each bank offered at its last visit (-1: none), cleared per pair (accel_sched bo_q):
    // a bank whose recorded offer is of another kernel index than the target is skipped. A pass's
    // push (EMA / EMB) does NEXT's work in the same cycle, so the next bank's RD0 follows it.
    const bo = new Int32Array(lanes).fill(-1);
    for (let guard = 0; ; guard++) {
      if (guard > 1e8) throw new Error('cycle model: grouped scheduler replay does not terminate');
      const B = banks[bank]!;
      const nsegAt = (tt: number) => { let n = 0; while (n < B.length && runStart(B[n]!) <= tt) n++; return n; };
      const r0 = seg[bank]!;
      const t1 = t + 1;
      const tDec = t + 2;
      let tNext = tDec + 1;
      const skip = bo[bank]! >= 0 && bo[bank]! >> 1 !== tk;
      if (skip) {
        // NEXT at t (entered from the previous bank's NEXT): the recorded offer joins the round's candidates.
        offer(bo[bank]!);
        tNext = t;
      } else if (r0 < nsegAt(t)) {
        const r = B[r0]!;
        const closed = r0 + 1 < nsegAt(t1) || mapDoneT <= t1;
        const wrs = closed ? r.times.length : written(r, t1);
        const p0 = ptr[bank]!, m0 = mptr[bank]!;
        const avail = wrs - p0;
        const mavail = p0 - m0;
        const elig = avail > 0 && (closed || avail >= chunkMin);
        let dOk = false;
        if (elig) {
          const fl = featLoaded(tDec);
          dOk = fbase + pmaxIn.get(r)![wrs - 1]! < fl && (!r.mirror || fbase + pmaxOut.get(r)![wrs - 1]! < fl);
        }
        const mOk = r.mirror && mavail > 0;
        bo[bank] = -1;
        if (closed && avail === 0 && (!r.mirror || mavail === 0)) {
          seg[bank] = r0 + 1; ptr[bank] = 0; mptr[bank] = 0;
          t = tDec + 1;
          continue;
        }
        if (r.kidx === tk && tph === 0 && dOk) {
          hit = true;
          if (r.mirror) { offer(2 * r.kidx + 1); bo[bank] = 2 * r.kidx + 1; }
          const te = doPass(tDec + 1, avail, r.kidx, false, r.maxOut[p0]!, r.maxOut[wrs - 1]!, pk === r.kidx);
          note({ r, s0: p0, len: avail, swap: false, kidx: r.kidx, outFirst: r.maxOut[p0]!, outLast: r.maxOut[wrs - 1]!, reuse: pk === r.kidx });
          pk = r.kidx;
          if (closed && !r.mirror) { seg[bank] = r0 + 1; ptr[bank] = 0; mptr[bank] = 0; } else ptr[bank] = wrs;
          tNext = te;
        } else if (r.kidx === tk && tph === 1 && mOk) {
          hit = true;
          const wk = kv - 1 - r.kidx;
          const te = doPass(tDec + 1, mavail, wk, false, r.maxIn[m0]!, r.maxIn[p0 - 1]!, pk === wk);
          note({ r, s0: m0, len: mavail, swap: true, kidx: wk, outFirst: r.maxIn[m0]!, outLast: r.maxIn[p0 - 1]!, reuse: pk === wk });
          pk = wk;
          if (closed && avail === 0) { seg[bank] = r0 + 1; ptr[bank] = 0; mptr[bank] = 0; } else mptr[bank] = p0;
          tNext = te;
        } else if (dOk || mOk) {
          offer(2 * r.kidx + (dOk ? 0 : 1));
          bo[bank] = 2 * r.kidx + (dOk ? 0 : 1);
        }
      } else bo[bank] = -1;
      // NEXT at tNext
      let allExh = true;
      for (let l = 0; l < lanes; l++) if (seg[l]! < banks[l]!.length) allExh = false;
      if (allExh && mapDoneT <= tNext) return tNext + 1;
      if (bank === lanes - 1) {
        if ((!hit || mapDoneT <= tNext) && cv) { tk = ckey >> 1; tph = ckey & 1; }
        hit = false;
        cv = false;
      }
      bank = bank === lanes - 1 ? 0 : bank + 1;
      t = tNext + 1;
    }
  };
  // The scheduler leaves SC_WAITN once N_out is known (accel.v nout_valid): a conv's after the
  // downsampler has counted its outputs; submanifold and transposed layers take it from the
  // registers, so their walk starts with the layer and runs while the coordinates load (its
  // round-robin phase sets when a run is first seen; the replay once started it after the load).
  const nOutKnown = mf ? (mfFirstWord >= 0 ? mfFirstWord + C.mfEntry : mapDone) : L.type === 'conv' ? C.start + coordLoad + downsample : C.start;
  let t = nOutKnown + 1; // SC_INIT
  let markFree = -Infinity;
  let drainEnd = -Infinity;
  let drained = 0;
  // Drain port: words below `lim` are final at `hit`; they leave one per word time, in order (for
  // map-free conv not before the output coordinates, which are complete only at the map's end).
  const rate = Math.max(1, wordBeats);
  const marks = p.drainPort === true && (mf || mt);
  // Transposed: the given output coordinates went out during the coordinate load.
  const coordGate = marks && mf && pOut === 'sections' ? mapDone + C.mfCoordEnd : -Infinity;
  // Projection 'tagged': when each word is final (the stream is merged with the coordinates below).
  const wordT: number[] = [];
  let drainFirst = -1;
  let drainIdle = 0;
  const drainTo = (lim: number, hit: number) => {
    if (lim <= drained) return;
    const ds = Math.max(hit + C.drainRd, drainEnd, coordGate);
    if (drainFirst < 0) drainFirst = ds;
    else drainIdle += ds - drainEnd;
    // Projection 'interleaved': each output of the first cout tile also carries its coordinate beat.
    const coordBeats = pOut === 'interleaved' ? Math.max(0, Math.min(lim, nOut) - drained) : 0;
    if (pOut === 'tagged') for (let q = drained; q < lim; q++) wordT.push(hit + C.drainRd);
    drainEnd = ds + (lim - drained) * rate + coordBeats;
    drained = lim;
  };
  // Map-free: entry write times and outputs in write order (the map is written in output order).
  const entT: number[] = [];
  const entO: number[] = [];
  if (marks) {
    const all: [number, number][] = [];
    for (const r of runs) for (let j = 0; j < r.times.length; j++) all.push([r.times[j]! + EL, r.maxOut[j]!]);
    all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    for (const [tt, o] of all) { entT.push(tt); entO.push(o); }
  }
  const countUpTo = (arr: number[], tt: number) => { let lo = 0, hi = arr.length; while (lo < hi) { const m = (lo + hi) >> 1; if (arr[m]! <= tt) lo = m + 1; else hi = m; } return lo; };
  // Map-free transposed: the engine's frontier at s is the smallest output still to leave (suffix
  // minimum over the walk), registered twice more than the conv frontier's source. The engine
  // drives it only while it runs (map_engine: ds_phase, S_MAP_END, S_FIN; 0 once idle, and never
  // on a REUSE_MAP layer, whose engine is not started); the scheduler takes N_out instead once the
  // map is complete (accel_sched mt_src), so marks are posted in every pair, up to N_out − 1.
  const mtSufMin: number[] = new Array<number>(mtOut.length + 1).fill(nOut);
  for (let j = mtOut.length - 1; j >= 0; j--) mtSufMin[j] = Math.min(mtSufMin[j + 1]!, mtOut[j]!);
  const mtFront = (s: number) => Math.min(mtSufMin[countUpTo(mtLeave, s)]!, Math.max(0, nOut - 1));
  interface Push { t: number; bank: number; bnd: number; end: number; done: number }
  // Progress marks of the last cin-tile pair (templates/top/accel_sched.v.hbs, drainMarks).
  // The RTL registers the frontier (front_max_q) and the bound minimum (wmin_q): the mark posted
  // at tau carries the bounds of tau − 1, whose frontier is that of tau − 2 (issue 15).
  // Returns whether a mark was posted in the pair and the last one, still to be applied: the
  // tile-end mark replaces it when it is still pending (not taken) at the tile end (accel_sched
  // mk_ok, accel_drain mk_v_q), and then its words drain only with the tile-end mark.
  const runMarks = (pushes: Push[], tFrom: number, tTo: number, base: number): { mid: boolean; last: { lim: number; hit: number } | null } => {
    let last: { lim: number; hit: number } | null = null;
    const bndP = new Array<number>(lanes).fill(0);
    const pp = new Array<number>(lanes).fill(0);
    let wm = 0;
    let pi = 0;
    let tau = Math.max(tFrom + 1, markFree);
    for (let guard = 0; tau < tTo; guard++) {
      if (guard > 1e7) throw new Error('cycle model: drain marks do not terminate');
      const s = tau - 1;
      while (pi < pushes.length && pushes[pi]!.t < s) { const q = pushes[pi]!; bndP[q.bank] = q.bnd; pp[q.bank] = q.end; pi++; }
      const nw = countUpTo(entT, s - 1);
      const fm = mt ? (mapDoneT <= s - 1 ? Math.max(0, nOut - 1) : s - 2 >= mapStart && s - 2 < mapEnd ? mtFront(s - 2) : 0) : nw > 0 ? entO[nw - 1]! : 0;
      const front = mapDoneT <= s ? nOut : fm;
      let W = fm;
      for (let b = 0; b < lanes; b++) {
        const r = banks[b]![0];
        const wr = r ? written(r, s) : 0;
        W = Math.min(W, pp[b] === wr ? Math.max(bndP[b]!, front) : bndP[b]!);
      }
      if (W > wm) {
        // The mark's target is every pass issued before tau (pc_q at tau).
        let pt = pi;
        while (pt < pushes.length && pushes[pt]!.t < tau) pt++;
        const hit = Math.max(tau + 1, pt > 0 ? pushes[pt - 1]!.done : 0);
        if (last) drainTo(last.lim, last.hit);
        last = { lim: base + W, hit };
        wm = W;
        markFree = hit + 1;
        tau = hit + 1;
        continue;
      }
      let next = Infinity;
      if (pi < pushes.length) next = Math.min(next, pushes[pi]!.t + 2);
      const ne = countUpTo(entT, s - 1);
      if (ne < entT.length) next = Math.min(next, entT[ne]! + 2);
      if (mt) { const nl = countUpTo(mtLeave, s - 2); if (nl < mtLeave.length) next = Math.min(next, mtLeave[nl]! + 3); }
      if (mapDoneT > s) next = Math.min(next, mapDoneT + 1);
      if (mt && mapDoneT > s - 1) next = Math.min(next, mapDoneT + 2);
      if (!(next > tau)) next = tau + 1;
      tau = next;
    }
    return { mid: wm > 0, last };
  };
  // Interleaved output (ilExact): the marks of the last cin-tile pair replayed register by
  // register (accel_sched drainMarks: front_max_q, bnd_*_q, pp_*_q, wmin_q, wm_q; accel_drain
  // mk_v_q, pcd_q), cycle by cycle from RD0 to FIN. A bank's bound is raised to the frontier
  // whenever every written entry of it is issued and keeps that value (it only falls back to a
  // pass's bound on the bank's next push), so a bank without entries yet does not hold W at 0.
  // A mark set at tau is taken (mk_hit) at max(tau + 1, the cycle the drain counts the passes
  // issued before tau); the drain is free again the cycle after. ilMarks: every taken mark, in
  // order: the words below lim are final at hit.
  const ilMarks: { lim: number; hit: number }[] = [];
  const doneAt = (q: Push | undefined) => (q ? q.done : -Infinity);
  const runMarksExact = (pushes: Push[], tFrom: number, tTo: number, base: number): { mid: boolean; last: { lim: number; hit: number } | null } => {
    let last: { lim: number; hit: number } | null = null;
    const wr = new Int32Array(lanes);
    const bnd = new Float64Array(lanes), pp = new Int32Array(lanes);
    let frontMax = 0, wmin = 0, wm = 0;
    let pi = 0;
    for (let c = tFrom + 1; c < tTo; ) {
      // (registers at c; a mark is posted from them)
      let changed = false;
      if (c >= markFree && wmin > wm) {
        changed = true;
        let pt = pi;
        while (pt < pushes.length && pushes[pt]!.t < c) pt++;
        const hit = Math.max(c + 1, doneAt(pushes[pt - 1]));
        if (last) ilMarks.push(last);
        last = { lim: base + wmin, hit };
        wm = wmin;
        markFree = hit + 1;
      }
      // next state from the values at c
      let fmax = 0;
      let mn = frontMax;
      const front = mapDoneT <= c ? nOut : frontMax;
      for (let b = 0; b < lanes; b++) {
        const r = banks[b]![0];
        if (r) { while (wr[b]! < r.times.length && r.times[wr[b]!]! <= c) wr[b]!++; }
        if (wr[b]! > 0) fmax = Math.max(fmax, r!.maxOut[wr[b]! - 1]!);
        mn = Math.min(mn, bnd[b]!);
      }
      for (let b = 0; b < lanes; b++) if (pp[b] === wr[b] && front > bnd[b]!) { bnd[b] = front; changed = true; }
      while (pi < pushes.length && pushes[pi]!.t <= c) {
        const q = pushes[pi]!;
        if (q.t === c) { bnd[q.bank] = q.bnd; pp[q.bank] = q.end; changed = true; }
        pi++;
      }
      if (fmax !== frontMax || mn !== wmin) changed = true;
      frontMax = fmax;
      wmin = mn;
      // Nothing moved: the registers hold until the next input event (a push, a bank write, map
      // done, the drain free again).
      let next = c + 1;
      if (!changed) {
        next = tTo;
        if (pi < pushes.length) next = Math.min(next, pushes[pi]!.t);
        for (let b = 0; b < lanes; b++) { const r = banks[b]![0]; if (r && wr[b]! < r.times.length) next = Math.min(next, r.times[wr[b]!]!); }
        if (mapDoneT > c) next = Math.min(next, mapDoneT);
        if (markFree > c) next = Math.min(next, markFree);
        next = Math.max(c + 1, Math.ceil(next));
      }
      c = next;
    }
    return { mid: wm > 0, last };
  };
  for (let pair = 0; pair < ti * to; pair++) {
    const tIn = pair % ti;
    const lastIn = tIn === ti - 1;
    const pushes: Push[] = [];
    const pairT = t;
    tileArr = new Float64Array(kv);
    if (pair === 0) {
      for (let i = 0; i < kv; i++) tileArr[i] = tileT0(i);
    } else {
      for (let s2 = 0; s2 < kv; s2++) {
        const i = order[s2]!;
        const lastWord = pair * kr + (s2 + 1) * rows - 1;
        const q = Math.floor((lastWord - p.weightDepth) / kr);
        const rel = q >= 0 ? (release[q] ?? 0) : -Infinity;
        streamT = Math.max(streamT + rows * wb, rel + rows * wb);
        tileArr[i] = streamT + C.ringFill;
      }
    }
    const fbase = tIn * nIn;
    const seg = new Int32Array(lanes);
    const ptr = new Int32Array(lanes);
    const ck: Checkpoints = { run: new Array<Run | null>(lanes).fill(null), at: new Int32Array(lanes) };
    let bank = 0;
    // Pass list (accel_sched INIT): replay a recorded list, or record this pair's passes when it
    // starts on a complete map (map-free layers with drain marks always walk).
    const replay = plState === 'ok';
    if (plState === 'none' && plDepth > 0 && !marks && mapDoneT <= t) plState = 'rec';
    t += 1; // RD0 of bank 0 (replay: the first list entry)
    let lastPassStart = 0;
    if (replay) {
      plPairs++;
      for (const e of plList) {
        const { r, s0, swap } = e;
        const src = swap ? r.maxOut : r.maxIn;
        gatherOf = (j) => fbase + src[s0 + j]!;
        const te = doPass(t, e.len, e.kidx, false, e.outFirst, e.outLast, e.reuse);
        lastPassStart = prevStart;
        t = te + 1;
      }
    } else if (grouped) {
      t = replayGrouped(seg, ptr, t, fbase);
      lastPassStart = prevStart;
    } else for (let guard = 0; ; guard++) {
      if (guard > 1e8) throw new Error('cycle model: scheduler replay does not terminate');
      const B = banks[bank]!;
      const nsegAt = (tt: number) => { let n = 0; while (n < B.length && runStart(B[n]!) <= tt) n++; return n; };
      const r0 = seg[bank]!;
      const have = r0 < nsegAt(t);
      const t1 = t + 1;
      const tDec = t + 2;
      if (!have) {
        // NEXT at t + 3
        const tn = t + 3;
        let allExh = true;
        for (let l = 0; l < lanes; l++) if (seg[l]! < banks[l]!.length) allExh = false;
        if (allExh && mapDoneT <= tn) { t = tn + 1; break; }
        bank = bank === lanes - 1 ? 0 : bank + 1;
        t = tn + 1;
        continue;
      }
      const r = B[r0]!;
      const nx = r0 + 1 < nsegAt(t1);
      const md = mapDoneT <= t1;
      const closed = nx || md;
      const wrs = closed ? r.times.length : written(r, t1);
      const avail = wrs - ptr[bank]!;
      if (closed && avail === 0) { seg[bank] = r0 + 1; ptr[bank] = 0; t = tDec + 1; continue; }
      const elig = avail > 0 && (closed || avail >= chunkMin);
      let ready = false;
      if (avail > 0) {
        const fl = featLoaded(tDec);
        ready = fbase + pmaxIn.get(r)![wrs - 1]! < fl && (!r.mirror || fbase + pmaxOut.get(r)![wrs - 1]! < fl);
        // features of later pairs are all loaded long before
      }
      // Projection walkDuringLoad: the prefix whose features are in.
      let part = avail;
      if (pj?.walkDuringLoad && avail > 0 && !ready) {
        const fl = featLoaded(tDec);
        let np = 0;
        while (np < avail && fbase + r.maxIn[ptr[bank]! + np]! < fl) np++;
        if (np >= chunkMin) { ready = true; part = np; }
      }
      const ckv = ck.run[bank] === r && ck.at[bank]! > ptr[bank]!;
      const pre = !ready && ckv && ckReady(r, ck.at[bank]!, fbase, tDec);
      // mapping.mapFreeEarlyWalk (accel_sched ew_cut): the run's last features missing, the chunk
      // holding the read pointer written and its last entry's features in: a pass to the chunk's end.
      let ewE = 0;
      if (ewChunk > 0 && avail > 0 && !ready) {
        const e = (Math.floor(ptr[bank]! / ewChunk) + 1) * ewChunk;
        if (avail >= e - ptr[bank]! && fbase + r.maxIn[e - 1]! < featLoaded(tDec)) ewE = e;
      }
      if ((elig && ready) || pre || ewE > 0) {
        const s0 = ptr[bank]!;
        let e1 = ewE > 0 ? ewE : pre ? ck.at[bank]! : s0 + part;
        // Map-free transposed, last cin tile, closed run: a pass ends at the bank's next chunk
        // boundary when a whole chunk follows it, and the walk moves on to the next bank
        // (accel_sched mt_cut); the run's last pass takes one to two chunks.
        const cut = mtChunk > 0 && lastIn && closed && !pre && e1 >= (Math.floor(s0 / mtChunk) + 2) * mtChunk;
        if (cut) e1 = (Math.floor(s0 / mtChunk) + 1) * mtChunk;
        gatherOf = (j) => fbase + r.maxIn[s0 + j]!;
        let te = doPass(tDec + 1, e1 - s0, r.kidx, false, r.maxOut[s0]!, r.maxOut[e1 - 1]!);
        note({ r, s0, len: e1 - s0, swap: false, kidx: r.kidx, outFirst: r.maxOut[s0]!, outLast: r.maxOut[e1 - 1]!, reuse: false });
        if (marks && lastIn) pushes.push({ t: te, bank, bnd: r.maxOut[e1 - 1]! + 1, end: e1, done: cur + (ilExact ? C.ilPassDone : C.drainLat) });
        lastPassStart = prevStart;
        if (r.mirror) {
          gatherOf = (j) => fbase + r.maxOut[s0 + j]!;
          te = doPass(te + 1, e1 - s0, kv - 1 - r.kidx, false, r.maxIn[s0]!, r.maxIn[e1 - 1]!);
          note({ r, s0, len: e1 - s0, swap: true, kidx: kv - 1 - r.kidx, outFirst: r.maxIn[s0]!, outLast: r.maxIn[e1 - 1]!, reuse: false });
          lastPassStart = prevStart;
        }
        if (cut) {
          ptr[bank] = e1;
          bank = bank === lanes - 1 ? 0 : bank + 1;
          t = te + 2; // NEXT, then RD0 of the next bank
          continue;
        }
        if (ewE > 0) { ptr[bank] = e1; t = te + 1; continue; }
        if (closed && !pre && e1 === s0 + avail) { seg[bank] = r0 + 1; ptr[bank] = 0; } else ptr[bank] = e1;
        t = te + 1;
        continue;
      }
      if (!closed && avail >= ckMin && !ready && !ckv && !marks) { ck.run[bank] = r; ck.at[bank] = wrs; }
      // NEXT
      const tn = t + 3;
      bank = bank === lanes - 1 ? 0 : bank + 1;
      t = tn + 1;
    }
    // FIN at t
    if (half && nOut > 0) {
      gatherOf = (j) => fbase + j;
      const te = doPass(t, nOut, centreK, lastIn, 0, nOut - 1);
      lastPassStart = prevStart;
      t = te + 1;
    } else if (lastIn && nOut > 0 && p.drainPort) {
      // A mark (after the previous one was taken, or in place of a mark posted inside this pair:
      // accel_sched mk_ok); the tile is final once its last row is written.
      const base = Math.floor(pair / ti) * nOut;
      const mk = ilExact ? runMarksExact(pushes, pairT, t, base) : marks ? runMarks(pushes, pairT, t, base) : { mid: false, last: null };
      const mid = mk.mid;
      const tm = mid ? t : Math.max(t, markFree);
      // The last mid mark counts only if the drain took it before the tile-end mark's cycle;
      // otherwise the tile-end mark overwrote it (accel_drain mk_tgt_q/mk_lim_q) and its words
      // wait for the tile's last pass. A tie (hit = tm) counts as replaced: measured on the
      // residual chain's `down` (map-free conv k2 s2, bunny v0.5, fpga) the RTL took the
      // replacement there (2,444 cycles measured; kept 2,416 predicted, replaced 2,450): the
      // replay's hit (pass done + drainLat, calibrated) is not the exact cycle of mk_hit.
      // Before this replay, the model drained the replaced mark's words early (−1.15 % there).
      if (ilExact) {
        // Exact: a mark taken in the FIN cycle itself still sets the limit (mk_hit reads the old
        // mark's registers there), so only a later hit is replaced.
        if (mk.last && mk.last.hit <= tm) ilMarks.push(mk.last);
        const fin = Math.max(tm + 1, cur + C.ilPassDone);
        markFree = fin + 1;
        ilMarks.push({ lim: base + nOut, hit: fin });
      } else {
        if (mk.last && mk.last.hit < tm) drainTo(mk.last.lim, mk.last.hit);
        const fin = Math.max(tm + 1, cur + C.drainLat);
        markFree = fin + 1;
        drainTo((Math.floor(pair / ti) + 1) * nOut, fin);
      }
      t = tm + 1;
    } else if (lastIn && nOut > 0) {
      const te = doPass(t, nOut, -1, true, 0, nOut - 1);
      lastPassStart = prevStart;
      t = te + 1;
    } else t += 1;
    release.push(grouped ? loadRef : lastPassStart);
    if (plState === 'rec') plState = 'ok';
    t += 1; // REL → INIT
  }
  const drainRows = half || p.drainPort ? 0 : nOut * to;
  const compute = entries * ti * to + (half ? nOut * ti * to : 0) + drainRows;
  const lastRow = cur;
  const tail = C.tailFixed + p.extraLatency;
  let streamEnd = drainEnd;
  // Interleaved output, exact (accel_output il): word q of cout tile 0 follows coordinate q, which
  // follows word q − 1 (one beat); the coordinates are counted long before their words are final.
  // Later cout tiles' words follow back to back. A word leaves ilWordLat cycles after its mark was
  // taken at the earliest (one drain read per cycle).
  let ilLast = -Infinity;
  if (ilExact) {
    let q = 0;
    for (const m of ilMarks) {
      if (drainFirst < 0) drainFirst = m.hit;
      for (let j = 0; q < m.lim; q++, j++) {
        const w = Math.max(m.hit + C.ilWordLat + j, ilLast + rate + (q > 0 && q < nOut ? 1 : 0));
        if (ilLast > -Infinity) drainIdle += Math.max(0, w - (ilLast + rate + (q > 0 && q < nOut ? 1 : 0)));
        ilLast = w;
      }
    }
    streamEnd = ilLast + rate;
  }
  if (pOut === 'tagged') {
    // one beat per cycle, oldest first: a coordinate when counted, a word when final
    let i = 0, j = 0;
    streamEnd = -Infinity;
    while (i < coordT.length || j < wordT.length) {
      const tc = i < coordT.length ? coordT[i]! : Infinity;
      const tw = j < wordT.length ? wordT[j]! : Infinity;
      if (tc <= tw) { streamEnd = Math.max(streamEnd, tc) + 1; i++; } else { streamEnd = Math.max(streamEnd, tw) + rate; j++; }
    }
  }
  const outEnd = pOut === 'free' ? -Infinity : ilExact ? (nOut > 0 ? streamEnd - 1 + C.ilDone + p.extraLatency : -Infinity) : streamEnd + C.drainTail + p.extraLatency;
  const total = Math.max(Math.max(lastRow, mapEnd) + tail, outEnd);
  const events = { featStart, featEnd: featWordsL > 0 ? featT(featWordsL - 1) : featStart, mapDone, lastRow, streamEnd, walkFeatureWait, drainFirst, drainIdle };
  const passList = { recorded: plState === 'ok' ? plList.length : -1, replayedPairs: plPairs, fallback: (plState as string) === 'over' };
  return { total, coordLoad, mapping: downsample + merge, downsample, merge, comparisons, compute, lastRow, tail, passes, tileLoads, drainRows, events, hazards, loss, passList };
}
