// The accelerator spec: one object, organised by unit, that every consumer (RTL templates,
// golden-model widths, C header, manifest, docs, cycle model) reads. It is described once, as a
// schema: the TypeScript type, validation, defaults (= baseSpec), the JSON Schema and the
// parameter docs all come from `acceleratorSchema` and `crossRules` below. Derived parameters
// live in derive/; nothing else computes a parameter.
import { LAYER_TYPES } from '../model/types.ts';
import { PASS_GROUPINGS } from '../model/pass-grouping.ts';
import { NM_PATTERN_NAMES, NM_PATTERN_RULE, parseNmPattern } from '../model/sparsity.ts';
import { clog2 } from './derive/math.ts';
import { inChannelsPerPass, weightIndexWidth } from './sparsity.ts';
import { bool, choice, enumSet, identifier, int, object, type CrossRule, type Infer } from './schema.ts';

const MAX_DEPTH = 2 ** 20;

export const acceleratorSchema = object('A sparse-convolution accelerator (DESIGN.md §3).', {
  name: identifier({
    maxLength: 40,
    description: 'Verilog identifier; every emitted module is named `<name>_<module>`.',
  }),
  arithmetic: object('Datapath widths (two’s complement).', {
    inWidth: int({ min: 2, max: 16, default: 8, unit: 'bits', description: 'Input feature width (signed).' }),
    weightWidth: int({ min: 2, max: 16, default: 8, unit: 'bits', description: 'Weight width (signed).' }),
    accWidth: int({
      min: 8,
      max: 64,
      default: 32,
      unit: 'bits',
      description: 'Accumulator width (signed, wraps); must hold the largest reduction (see the rules below).',
    }),
    outWidth: int({ min: 2, max: 32, default: 8, unit: 'bits', description: 'Requantized output width (signed).' }),
  }),
  mapping: object('Mapping engine (sorted merge-intersection of coordinate streams).', {
    lanes: int({ min: 1, max: 16, default: 8, description: 'Kernel offsets merged in parallel by the mapping engine.' }),
    maxKernelSize: int({
      min: 1,
      max: 7,
      default: 5,
      description: 'Largest kernel size k (k³ offsets) the engine supports; sizes offset counters and the weight buffer.',
    }),
    maxStride: int({ min: 1, max: 8, pow2: true, default: 2, description: 'Largest layer stride (tensor strides are powers of two).' }),
    layerTypes: enumSet({
      values: LAYER_TYPES,
      default: LAYER_TYPES,
      description: 'Layer types the accelerator accepts; others raise an error flag.',
    }),
    coordWidth: int({ min: 4, max: 32, default: 16, unit: 'bits', description: 'Bits per spatial coordinate (signed), x/y/z each.' }),
    batchWidth: int({ min: 1, max: 16, default: 4, unit: 'bits', description: 'Bits of the batch index (unsigned).' }),
    segmentMajor: bool({
      default: false,
      description:
        'Dispatch merge jobs segment-major (every offset of output segment 0, then segment 1, …) instead of offset-major: the entries whose features stream in first are mapped first (shorter start-up when the mapping keeps ahead of compute).',
    }),
    nearFirstJobs: bool({
      default: false,
      description:
        'With segmentMajor: a segment\'s jobs go near offsets first (ascending key distance: z steps, then y, then x) instead of in kernel-index order, so each bank\'s first run pairs points that arrive close together in the feature stream and compute starts after fewer features. Costs a small job-order table in the mapping engine.',
    }),
    mapFreeDownsample: bool({
      default: false,
      description:
        'Map-free conv k = s = 2: the downsampler emits each input point\'s map entry (kernel index from its low coordinate bits) while it merges, instead of a merge per offset (one lane per kernel index: needs lanes ≥ 8).',
    }),
    mapFreeTransposed: bool({
      default: false,
      description:
        'Map-free transposed k = s = 2 (needs mapFreeDownsample): the given output points are walked in parent order through the downsampler\'s classes and each parent is matched against the input list by a monotone compare, one output per cycle, instead of a merge per offset; the scheduler gets a progress frontier so the drain port drains outputs while compute continues. Costs the matcher (two keys, one comparator pair) and the frontier min tree.',
    }),
    mapFreeEarlyWalk: bool({
      default: false,
      description:
        'Map-free conv k = s = 2 (needs mapFreeDownsample and comparePipeline): the downsampler walks the input points while the coordinates still load, not gated by the features: a parent is taken once every child can have arrived (an input of a later (batch, x-slab pair) has arrived, or the load has ended), so the output coordinates and the map are complete shortly after the coordinate load. Costs per class a tail flag and a fetch pointer compare, a slab register and comparator per class head.',
    }),
    comparePipeline: bool({
      default: false,
      description:
        'Pipelined downsampler merge (clock over latency): each class prefetches two points into registers, the class heads are compared all pairs in parallel (maxStride⁴/2 comparators) instead of in a priority chain, the taken point passes a two-entry FIFO, and the layer\'s quantization mask is a registered copy; the mapping engine\'s START checks are registered too (one cycle). Same results, same one point per cycle; 1 cycle more per layer, 2·maxStride² + 1 more per conv layer; maxStride ≤ 4.',
    }),
    overlapLoad: bool({
      default: false,
      description:
        'Merge while the coordinates still arrive (submanifold and transposed layers): a lane reads input / output coordinate i only once the load has written it (a loaded-count register per list, compared against the lane\'s read and search pointers; the lane stalls otherwise), so mapping overlaps the coordinate load. The whole-list checks (order, duplicates, TLAST) stay as they are; an error aborts the map already emitted with the layer. Conv layers merge after their downsampling as before.',
    }),
  }),
  buffers: object('On-chip buffer depths (powers of two: block-RAM friendly, addresses wrap cleanly).', {
    coordDepth: int({
      min: 16,
      max: MAX_DEPTH,
      pow2: true,
      default: 4096,
      unit: 'points',
      description: 'Points per coordinate buffer (input and output each).',
    }),
    featureDepth: int({
      min: 16,
      max: MAX_DEPTH,
      pow2: true,
      default: 4096,
      unit: 'words',
      description: 'Input feature words held on chip; a word is `matrix.rows` channels of one point.',
    }),
    weightDepth: int({
      min: 16,
      max: MAX_DEPTH,
      pow2: true,
      default: 2048,
      unit: 'words',
      description: 'Weight words held on chip; a word is one row (`matrix.cols` weights) of a rows × cols tile.',
    }),
    accumulatorDepth: int({
      min: 16,
      max: MAX_DEPTH,
      pow2: true,
      default: 4096,
      unit: 'words',
      description: 'Output accumulator words held on chip; a word is `matrix.cols` accumulators of one output point.',
    }),
    mapDepth: int({
      min: 16,
      max: MAX_DEPTH,
      pow2: true,
      default: 32768,
      unit: 'entries',
      description: 'Kernel-map entries (input index, output index, kernel index) held on chip.',
    }),
    keepFeatures: bool({
      default: false,
      description:
        'Fusion across layers: a layer may write its requantized output words into the feature buffer (FUSION.KEEP_OUT, at FEAT_OUT_BASE) and the next layer read its input features from there (FUSION.FEAT_ON_CHIP, at FEAT_IN_BASE) instead of the stream: no off-chip round trip (a write port mux and base adders on the feature buffer). Needs matrix.cols input channels per pass and outWidth = inWidth.',
    }),
    weightReadRows: int({
      min: 1,
      max: 4,
      values: [1, 2, 4],
      default: 1,
      unit: 'rows',
      description:
        'Weight-tile rows read per cycle: the weight buffer is split into this many banks of weightDepth / weightReadRows words (word w in bank w mod weightReadRows; the same capacity), the weight fetcher reads that many consecutive rows of a tile per cycle and the matrix unit writes them in one beat into its second tile buffer, so a tile loads in rows / weightReadRows cycles (the map-free transposed pass threshold drops to max(4, rows / weightReadRows)). Must divide matrix.rows. fpga bunny transposed k2 s2 16 → 16: 0.808 → 0.857 at 4.',
    }),
    w0Interleave: bool({
      default: false,
      description:
        'Start-up overlap of the first weight pair and the features (issue 13 item 3): the weight ring holds each pair\'s tiles in the order the scheduler first needs them (kernel index 0, K−1, 1, K−2, …, the centre last) and the input stream interleaves the first pair\'s tiles with blocks of LAYER_TYPE.W0_BLOCK feature words (chosen per layer by the host with the cycle model; 0 = all tiles, then the features), so compute starts after the first tile and the first features instead of after all K tiles (a block counter in the loader, the tile-slot arithmetic in the weight fetcher).',
    }),
  }),
  gatherScatter: object('Gather of input rows and scatter (read-modify-write) of partial sums.', {
    scatterForwarding: bool({
      default: true,
      description: 'Forward in-flight partial sums in the scatter read-modify-write pipeline (hazard bypass) instead of stalling.',
    }),
    drainPort: bool({
      default: false,
      description:
        'Drain port: a second copy of the accumulator buffer (written with every scatter write, read only by the drain) and a written-this-layer flag per accumulator word (a layer-epoch tag in block RAM, see drainEpochBits). Conv and transposed layers then send each finished cout tile\'s words to post-processing through this port while the next cout tile computes, instead of a drain pass of zero rows through the matrix unit and the scatter (costs a second accumulator RAM and two accumulatorDepth × drainEpochBits tag RAMs).',
    }),
    drainEpochBits: int({
      min: 1,
      max: 16,
      default: 8,
      unit: 'bits',
      description:
        'Drain port: bits E of the layer epoch that tags every accumulator word in block RAM instead of a written-this-layer flip-flop per word (a word is valid iff its tag equals the current epoch). Every 2^E − 1 layers the epoch wraps and the START waits for an accumulatorDepth-cycle clear sweep (BUSY, not in PERF_TOTAL_CYCLES).',
    }),
    passListDepth: int({
      min: 0,
      max: 4096,
      default: 0,
      unit: 'passes',
      description:
        'Pass-list replay in the compute scheduler (0 = off): once the map is complete, the scheduler records the gather and weight descriptors of one channel-tile pair\'s runs in a RAM of this many entries and replays them at one descriptor per cycle in every later pair of the layer instead of walking the map banks again (layers with many channel-tile pairs and few points: the walk costs ≈ 4 cycles per run). A layer whose list does not fit is walked in every pair (counted, never truncated); map-free layers with the drain port\'s progress marks are always walked.',
    }),
    passGrouping: enumSet({
      values: PASS_GROUPINGS,
      default: ['bank'],
      description:
        'Pass-grouping policies the compute scheduler supports (the host driver picks one per layer with the cycle model and writes LAYER_TYPE.GROUPING): `bank` cuts each bank\'s runs into passes bank by bank (every pass loads its weight tile); `offset` issues one kernel offset\'s passes of every bank back to back behind one weight-tile load (the matrix unit keeps the tile, the weight fetcher skips the identical reload; the engine dispatches that layer\'s merge jobs offset-major so that the banks\' runs line up by kernel index). More policies cost area (offset: a pointer per bank, the target and candidate registers, a reuse counter in the matrix unit).',
    }),
  }),
  matrix: object('Weight-stationary matrix unit.', {
    rows: int({ min: 1, max: 256, pow2: true, default: 16, description: 'Input channels per pass.' }),
    cols: int({ min: 1, max: 256, pow2: true, default: 16, description: 'Output channels per pass.' }),
    maxChannels: int({
      min: 1,
      max: 4096,
      default: 256,
      unit: 'channels',
      description:
        'Largest inChannels and outChannels of a layer (larger than rows/cols means tiled); sizes the channel registers and bounds the reduction length.',
    }),
    weightSparsity: choice({
      values: ['dense', ...NM_PATTERN_NAMES] as readonly string[],
      default: 'dense',
      rule: `must be "dense" or an N:M pattern (${NM_PATTERN_RULE.replace(/^must be an N:M pattern /, '')})`,
      description:
        'Structured weight sparsity (DESIGN.md §7): `dense`, or N:M — each multiplier holds one of the N non-zero weights of a group of M input channels and muxes its activation, so a pass covers rows · M/N input channels; layers must be N:M sparse.',
    }),
    treePipeline: int({
      min: 0,
      max: 4,
      default: 0,
      unit: 'stages',
      description:
        'Extra register stages in each column\'s adder tree (clock over latency): 0 registers every second level and the root; each stage registers one more level, the longest unregistered run first, up to every level (floor(log2(rows) / 2) stages). Same results; the matrix latency grows by one cycle per stage.',
    }),
  }),
  postprocess: object('Post-processing: bias, requantization, ReLU.', {
    bias: bool({ default: true, description: 'Per-output-channel bias added into the accumulator.' }),
    requant: bool({ default: true, description: 'Per-output-channel requantization (multiplier, shift, clamp).' }),
    relu: bool({ default: true, description: 'ReLU (the requantization clamp at 0); requires requant.' }),
    multiplierWidth: int({
      min: 1,
      max: 31,
      default: 16,
      unit: 'bits',
      description: 'Requantization multiplier width (unsigned); layer cases with larger multipliers are refused.',
    }),
    shiftWidth: int({ min: 1, max: 6, default: 6, unit: 'bits', description: 'Width of the shift field: shifts 0 … 2^shiftWidth − 1.' }),
    pipelineStages: int({
      min: 0,
      max: 3,
      default: 0,
      unit: 'stages',
      description:
        'Extra register stages in the requantization (clock over latency): 1 splits the multiply in two (product, then the DSP output register), 2 also registers the shifted product before the rounding add, 3 also registers the saturation flags before the clamp select. Same results; the post-processing latency grows by one cycle per stage. Needs requant.',
    }),
  }),
  interfaces: object('Bus interfaces.', {
    axisDataWidth: int({
      min: 8,
      max: 1024,
      pow2: true,
      default: 128,
      unit: 'bits',
      description: 'AXI4-Stream data width (slave and master).',
    }),
    axilDataWidth: int({ min: 32, max: 64, values: [32, 64], default: 32, unit: 'bits', description: 'AXI4-Lite data width.' }),
    outputOrder: choice({
      values: ['sections', 'interleaved'] as readonly string[],
      default: 'sections',
      rule: 'must be "sections" or "interleaved"',
      description:
        'Order of the AXI4-Stream output on map-free conv layers (k = s = 2 with mapping.mapFreeDownsample; every other layer always sends sections). `sections`: all N_out output coordinates, then the To·N_out words cout-tile-major. `interleaved`: per output point (canonical order) its coordinate beat, then its cout tile 0 word beat(s), so words leave as soon as they are final instead of after the downsampler\'s walk has counted every output; the words of cout tiles 1 … To−1 follow cout-tile-major; TLAST on the last beat. Same beat count; needs mapping.mapFreeDownsample.',
    }),
  }),
});

export type AcceleratorSpec = Infer<typeof acceleratorSchema>;
export type ArithmeticSpec = AcceleratorSpec['arithmetic'];
export type MappingSpec = AcceleratorSpec['mapping'];
export type BufferSpec = AcceleratorSpec['buffers'];
export type GatherScatterSpec = AcceleratorSpec['gatherScatter'];
export type MatrixSpec = AcceleratorSpec['matrix'];
export type PostprocessSpec = AcceleratorSpec['postprocess'];
export type InterfaceSpec = AcceleratorSpec['interfaces'];

/** Bits of one point's coordinates `[b, x, y, z]` as carried in one AXI-Stream beat. */
export function pointWidth(spec: AcceleratorSpec): number {
  return spec.mapping.batchWidth + 3 * spec.mapping.coordWidth;
}

export function maxKernelVolume(spec: AcceleratorSpec): number {
  return spec.mapping.maxKernelSize ** 3;
}

/**
 * Accumulator bits that the largest reduction needs: one output sums at most
 * `maxKernelVolume · maxChannels` products of `inWidth + weightWidth` bits.
 */
export function reductionWidth(spec: AcceleratorSpec): number {
  const { inWidth, weightWidth } = spec.arithmetic;
  return inWidth + weightWidth + clog2(maxKernelVolume(spec) * spec.matrix.maxChannels);
}

export const crossRules: CrossRule<AcceleratorSpec>[] = [
  {
    fields: ['arithmetic.accWidth', 'arithmetic.inWidth', 'arithmetic.weightWidth', 'mapping.maxKernelSize', 'matrix.maxChannels'],
    description:
      '`arithmetic.accWidth` ≥ inWidth + weightWidth + ceil(log2(maxKernelSize³ · matrix.maxChannels)), so that no legal layer can wrap the accumulator (bias is added on top and wraps as DESIGN.md §1 says).',
    check(s) {
      const need = reductionWidth(s);
      if (s.arithmetic.accWidth >= need) return undefined;
      return `must be at least ${need} to hold the largest reduction (inWidth ${s.arithmetic.inWidth} + weightWidth ${s.arithmetic.weightWidth} + ceil(log2(${maxKernelVolume(s)} offsets · ${s.matrix.maxChannels} channels))), got ${s.arithmetic.accWidth}`;
    },
  },
  {
    fields: ['arithmetic.outWidth', 'arithmetic.accWidth'],
    description: '`arithmetic.outWidth` ≤ accWidth.',
    check(s) {
      return s.arithmetic.outWidth <= s.arithmetic.accWidth
        ? undefined
        : `must not exceed arithmetic.accWidth (${s.arithmetic.accWidth}), got ${s.arithmetic.outWidth}`;
    },
  },
  {
    fields: ['mapping.lanes', 'mapping.maxKernelSize'],
    description: '`mapping.lanes` ≤ maxKernelSize³ (a lane per kernel offset at most).',
    check(s) {
      const v = maxKernelVolume(s);
      return s.mapping.lanes <= v ? undefined : `must not exceed the ${v} offsets of mapping.maxKernelSize ${s.mapping.maxKernelSize}, got ${s.mapping.lanes}`;
    },
  },
  {
    fields: ['mapping.mapFreeDownsample', 'mapping.lanes', 'mapping.maxStride', 'mapping.maxKernelSize', 'mapping.layerTypes'],
    description: '`mapping.mapFreeDownsample` needs a lane per kernel index of k = s = 2 (lanes ≥ 8), maxStride ≥ 2, maxKernelSize ≥ 2 and conv layers.',
    check(s) {
      const m = s.mapping;
      if (!m.mapFreeDownsample) return undefined;
      if (m.lanes < 8) return `needs mapping.lanes ≥ 8 (one lane per kernel index of k = s = 2), got ${m.lanes}`;
      if (m.maxStride < 2 || m.maxKernelSize < 2) return `needs mapping.maxStride ≥ 2 and maxKernelSize ≥ 2, got ${m.maxStride} and ${m.maxKernelSize}`;
      if (!m.layerTypes.includes('conv')) return 'needs conv in mapping.layerTypes';
      return undefined;
    },
  },
  {
    fields: ['mapping.mapFreeTransposed', 'mapping.mapFreeDownsample', 'mapping.layerTypes'],
    description: '`mapping.mapFreeTransposed` walks the output list through the map-free downsampler: needs mapFreeDownsample and transposed layers.',
    check(s) {
      const m = s.mapping;
      if (!m.mapFreeTransposed) return undefined;
      if (!m.mapFreeDownsample) return 'needs mapping.mapFreeDownsample (it reuses the map-free downsampler and its one lane per kernel index)';
      if (!m.layerTypes.includes('transposed')) return 'needs transposed in mapping.layerTypes';
      return undefined;
    },
  },
  {
    fields: ['mapping.mapFreeEarlyWalk', 'mapping.mapFreeDownsample', 'mapping.comparePipeline'],
    description: '`mapping.mapFreeEarlyWalk` changes the pipelined map-free downsampler: needs mapFreeDownsample and comparePipeline.',
    check(s) {
      const m = s.mapping;
      if (!m.mapFreeEarlyWalk) return undefined;
      if (!m.mapFreeDownsample) return 'needs mapping.mapFreeDownsample (it changes the map-free downsampler\'s walk)';
      if (!m.comparePipeline) return 'needs mapping.comparePipeline (built in the pipelined downsampler only)';
      return undefined;
    },
  },
  {
    fields: ['interfaces.outputOrder', 'mapping.mapFreeDownsample'],
    description: '`interfaces.outputOrder` "interleaved" changes the output of map-free conv layers only: needs mapping.mapFreeDownsample.',
    check(s) {
      if (s.interfaces.outputOrder !== 'interleaved') return undefined;
      return s.mapping.mapFreeDownsample ? undefined : 'needs mapping.mapFreeDownsample (only map-free conv layers send an interleaved output)';
    },
  },
  {
    fields: ['mapping.comparePipeline', 'mapping.maxStride'],
    description: '`mapping.comparePipeline` compares every pair of the maxStride² class heads: maxStride ≤ 4 (≤ 120 comparators).',
    check(s) {
      const m = s.mapping;
      return !m.comparePipeline || m.maxStride <= 4 ? undefined : `needs mapping.maxStride ≤ 4 (it compares all maxStride⁴/2 pairs of class heads), got ${m.maxStride}`;
    },
  },
  {
    fields: ['matrix.maxChannels', 'matrix.rows', 'matrix.cols'],
    description: '`matrix.maxChannels` ≥ max(rows, cols) (otherwise part of the array could never be used).',
    check(s) {
      const need = Math.max(s.matrix.rows, s.matrix.cols);
      return s.matrix.maxChannels >= need
        ? undefined
        : `must be at least max(matrix.rows, matrix.cols) = ${need}, got ${s.matrix.maxChannels}`;
    },
  },
  {
    fields: ['buffers.weightDepth', 'mapping.maxKernelSize', 'matrix.rows'],
    description:
      '`buffers.weightDepth` ≥ max(maxKernelSize³, 2) · matrix.rows: the tiles of every kernel offset for one (input, output) channel-tile pair stay on chip for a whole kernel map, and the weight ring holds at least two tiles (one loading while one computes).',
    check(s) {
      const tiles = Math.max(maxKernelVolume(s), 2);
      const need = tiles * s.matrix.rows;
      return s.buffers.weightDepth >= need
        ? undefined
        : `must hold ${tiles} tiles of ${s.matrix.rows} rows (one per kernel offset, at least two): ${tiles} · ${s.matrix.rows} = ${need} words, got ${s.buffers.weightDepth}`;
    },
  },
  {
    fields: ['buffers.weightReadRows', 'matrix.rows', 'buffers.weightDepth'],
    description:
      '`buffers.weightReadRows` divides matrix.rows (a tile is a whole number of wide reads, so every tile starts in bank 0) and weightDepth (the banks are equal).',
    check(s) {
      const r = s.buffers.weightReadRows;
      if (s.matrix.rows % r !== 0) return `must divide matrix.rows (a tile of ${s.matrix.rows} rows is read ${r} rows at a time), got ${r}`;
      if (s.buffers.weightDepth % r !== 0) return `must divide buffers.weightDepth ${s.buffers.weightDepth} (banks of equal depth), got ${r}`;
      return undefined;
    },
  },
  {
    fields: ['interfaces.axisDataWidth', 'mapping.coordWidth', 'mapping.batchWidth'],
    description: '`interfaces.axisDataWidth` ≥ batchWidth + 3 · coordWidth: one point’s coordinates per beat.',
    check(s) {
      const need = pointWidth(s);
      return s.interfaces.axisDataWidth >= need
        ? undefined
        : `must carry one point's coordinates per beat (batchWidth ${s.mapping.batchWidth} + 3 · coordWidth ${s.mapping.coordWidth} = ${need} bits), got ${s.interfaces.axisDataWidth}`;
    },
  },
  {
    fields: ['interfaces.axisDataWidth', 'matrix.rows', 'arithmetic.inWidth', 'matrix.weightSparsity'],
    description: '`interfaces.axisDataWidth` ≥ matrix.rows · inWidth (· M/N with N:M weight sparsity): one feature-buffer word per beat.',
    check(s) {
      const x = inChannelsPerPass(s);
      const need = x * s.arithmetic.inWidth;
      const ratio = x === s.matrix.rows ? '' : ` · M/N ${x / s.matrix.rows}`;
      return s.interfaces.axisDataWidth >= need
        ? undefined
        : `must carry one feature word per beat (matrix.rows ${s.matrix.rows}${ratio} · inWidth ${s.arithmetic.inWidth} = ${need} bits), got ${s.interfaces.axisDataWidth}`;
    },
  },
  {
    fields: ['interfaces.axisDataWidth', 'matrix.cols', 'arithmetic.weightWidth', 'matrix.weightSparsity'],
    description: '`interfaces.axisDataWidth` ≥ matrix.cols · (weightWidth + log2 M position bits with N:M weight sparsity): one weight-buffer word per beat.',
    check(s) {
      const sel = weightIndexWidth(s);
      const need = s.matrix.cols * (s.arithmetic.weightWidth + sel);
      const lane = sel === 0 ? `weightWidth ${s.arithmetic.weightWidth}` : `(weightWidth ${s.arithmetic.weightWidth} + ${sel} position bits)`;
      return s.interfaces.axisDataWidth >= need
        ? undefined
        : `must carry one weight word per beat (matrix.cols ${s.matrix.cols} · ${lane} = ${need} bits), got ${s.interfaces.axisDataWidth}`;
    },
  },
  {
    fields: ['matrix.weightSparsity', 'matrix.rows'],
    description:
      '`matrix.weightSparsity` N:M needs N to divide `matrix.rows` (a power of two), so only patterns with N a power of two ≤ rows can be built: the rows multipliers form rows / N groups of N, each fed by M input channels.',
    check(s) {
      if (s.matrix.weightSparsity === 'dense') return undefined;
      const { n } = parseNmPattern(s.matrix.weightSparsity, 'matrix.weightSparsity');
      return s.matrix.rows % n === 0
        ? undefined
        : `${s.matrix.weightSparsity} needs N = ${n} to divide matrix.rows (${s.matrix.rows}): the multipliers form groups of N, so N must be a power of two ≤ rows`;
    },
  },
  {
    fields: ['buffers.keepFeatures', 'matrix.cols', 'matrix.rows', 'matrix.weightSparsity', 'arithmetic.outWidth', 'arithmetic.inWidth', 'postprocess.requant'],
    description:
      '`buffers.keepFeatures` needs an output word to be a feature word: matrix.cols = input channels per pass (rows, · M/N with N:M), arithmetic.outWidth = inWidth, and postprocess.requant.',
    check(s) {
      if (!s.buffers.keepFeatures) return undefined;
      const x = inChannelsPerPass(s);
      if (s.matrix.cols !== x) return `needs matrix.cols (${s.matrix.cols}) = input channels per pass (${x}): an output word is stored as one feature word`;
      if (s.arithmetic.outWidth !== s.arithmetic.inWidth) return `needs arithmetic.outWidth (${s.arithmetic.outWidth}) = arithmetic.inWidth (${s.arithmetic.inWidth})`;
      if (!s.postprocess.requant) return 'needs postprocess.requant (the kept words are requantized features)';
      return undefined;
    },
  },
  {
    fields: ['matrix.treePipeline', 'matrix.rows'],
    description: '`matrix.treePipeline` ≤ floor(log2(rows) / 2): the adder tree has log2(rows) levels, every second one (and the root) already registered.',
    check(s) {
      const max = Math.floor(clog2(s.matrix.rows) / 2);
      return s.matrix.treePipeline <= max
        ? undefined
        : `must be at most ${max} for matrix.rows ${s.matrix.rows} (an adder tree of ${clog2(s.matrix.rows)} levels, ${clog2(s.matrix.rows) - max} already registered), got ${s.matrix.treePipeline}`;
    },
  },
  {
    fields: ['postprocess.pipelineStages', 'postprocess.requant'],
    description: '`postprocess.pipelineStages` > 0 requires `postprocess.requant` (the stages split the requantization).',
    check(s) {
      return s.postprocess.pipelineStages === 0 || s.postprocess.requant
        ? undefined
        : `requires postprocess.requant (the stages split the requantization's multiply, shift and clamp), got ${s.postprocess.pipelineStages}`;
    },
  },
  {
    fields: ['postprocess.relu', 'postprocess.requant'],
    description: '`postprocess.relu` requires `postprocess.requant` (ReLU is the lower bound of the requantization clamp).',
    check(s) {
      return !s.postprocess.relu || s.postprocess.requant
        ? undefined
        : 'requires postprocess.requant (ReLU is applied by the requantization clamp)';
    },
  },
];
