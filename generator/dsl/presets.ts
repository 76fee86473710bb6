// Presets are derived from one base spec (Gemmini style: `{ ...base, matrix: { rows: 32, … } }`)
// so that a change to the base reaches every preset. The base is the schema's defaults, so the
// docs, the JSON Schema and `defineAccelerator` agree on it.
import { defaults } from './schema.ts';
import { acceleratorSchema, type AcceleratorSpec } from './spec.ts';

export const baseSpec: AcceleratorSpec = { name: 'sf_fpga', ...(defaults(acceleratorSchema) as Omit<AcceleratorSpec, 'name'>) };

export const presets = {
  tiny: {
    ...baseSpec,
    name: 'sf_tiny',
    // 8-bit coordinates keep one point (4 + 3·8 = 28 bits) inside a 32-bit stream beat.
    mapping: { ...baseSpec.mapping, lanes: 1, maxKernelSize: 3, coordWidth: 8 },
    buffers: { coordDepth: 256, featureDepth: 256, weightDepth: 256, accumulatorDepth: 256, mapDepth: 2048, keepFeatures: false, w0Interleave: false, weightReadRows: 1 },
    matrix: { ...baseSpec.matrix, rows: 4, cols: 4 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 32 },
  },
  edge: {
    ...baseSpec,
    name: 'sf_edge',
    // Four lanes keep the mapping engine ahead of an 8×8 array on 3×3×3 submanifold layers.
    // The merge runs during the coordinate load (mapping.overlapLoad), segment-major (the entries
    // whose features come first are mapped first), and the host picks bank- or offset-grouped
    // passes per layer: together +298 LUT / +139 FF (+2.4 % / +2.1 %; same block RAM and DSP48,
    // Yosys synth_xilinx of the whole top); measured: bunny 8→8 submanifold 0.75 → 0.86; cycle
    // model: MinkUNet w0.5 on the bunny 85.4 → 89.4 % (bench/results/accel.json, docs/accelerator.md).
    // Six lanes with a 256-entry pass list (gatherScatter.passListDepth): the mapping is no longer
    // the limit of the bunny layer (0.86 at 4 lanes, 0.97 at 6), and the scheduler replays a
    // pair's passes instead of walking the six banks again for each of the 16 × 16 channel-tile
    // pairs of MinkUNet's ≈ 20-point deep layers (the walk made 6 lanes lose on the network:
    // 82.3 % against 91.8 % at 4). Cycle model, MinkUNet on the bunny (bench/results/pass-list.json):
    // w0.5 7,141,428 cycles (91.8 %, 4 lanes, no list) → 6,995,799 (93.7 %); w0.25 1,835,558
    // (89.7 %) → 1,823,768 (90.3 %). Four lanes with the list would do better on the network
    // (6,947,117, 94.4 %: 108 entries suffice) but stay at 0.86 on the layer. Area, Yosys
    // synth_xilinx of the whole top (one run each, bench/results/presets-area.json): 4 lanes
    // without the list 13,394 LUT / 7,302 FF / 62.5 RAMB36 / 85 DSP48; with it 13,464 / 7,361 /
    // 63 (the list: +70 LUT, +59 FF, one RAMB18); 6 lanes with it 14,955 / 8,101 / 78 (+11.7 % LUT,
    // +10.9 % FF, +25 % block RAM: a coordinate-buffer copy and a map bank per lane). Bench
    // (co-simulation, bench/results/accel.json): submanifold 0.86 → 0.97, conv k2 s2 0.22 → 0.28,
    // transposed k2 s2 0.34 → 0.47.
    // The downsampler merge and the START checks pipelined (mapping.comparePipeline, as fpga and
    // server): estimated clock 36.3 … 69.6 → 81.7 … 138.2 MHz at -2 (the merge path of 35 levels
    // was critical) for +589 LUT / +470 FF, and 1 cycle more per layer, 9 per conv layer.
    mapping: { ...baseSpec.mapping, lanes: 6, overlapLoad: true, segmentMajor: true, comparePipeline: true },
    buffers: { ...baseSpec.buffers, coordDepth: 2048, featureDepth: 2048, accumulatorDepth: 2048, mapDepth: 16384 },
    matrix: { ...baseSpec.matrix, rows: 8, cols: 8 },
    gatherScatter: { ...baseSpec.gatherScatter, passGrouping: ['bank', 'offset'], passListDepth: 256 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 64 },
  },
  // Eight lanes: one per kernel index of conv k = s = 2, so its map needs no merge; they also
  // keep the merge ahead of compute, so jobs go segment-major (features arrive in input order).
  // 512 channels: MinkUNet at full width concatenates 256 + 128 = 384 channels in its first
  // decoder stage; the 32-bit accumulator still holds the largest reduction (8 + 8 + ⌈log2(125 · 512)⌉ = 32).
  // The drain port (a second accumulator copy) takes the drain rows of conv and transposed layers
  // off the matrix unit.
  // It also keeps a layer's output on chip as the next layer's features where the host asks
  // (buffers.keepFeatures: fusion across layers). Both pass-grouping policies: the host picks one
  // per layer (short passes group behind one weight tile). The downsampler merge and the engine's
  // START checks are pipelined (mapping.comparePipeline): twice the estimated clock for +2 % LUT.
  // Submanifold and transposed merges start while the coordinates still arrive (mapping.overlapLoad).
  // Transposed k = s = 2 layers are map-free too (mapping.mapFreeTransposed: the outputs walked by
  // parent after the load, progress marks for the drain port).
  // A 256-entry pass list (gatherScatter.passListDepth): later channel-tile pairs replay the
  // passes of the first pair on the complete map instead of walking the banks (not on the map-free
  // layers, which walk for their drain marks); cycle model, MinkUNet on the bunny
  // (bench/results/pass-list.json): w0.5 1,833,230 → 1,784,131 cycles (−2.7 %), w0.25 678,883 →
  // 666,057 (−1.9 %); 206 entries are the longest list there.
  // mapping.mapFreeEarlyWalk: a map-free conv layer's downsampler walks while the coordinates
  // load (a parent once an input of a later x-slab pair has arrived), the map runs ahead of the
  // features and the scheduler passes chunks of 8 entries as their features arrive; with the
  // sections output the coordinate section then leaves during the feature stream. Measured on the
  // bunny conv k=2 s=2 16→16 (co-simulation, bench/results/accel.json): 4,750 → 3,875 cycles,
  // utilisation 0.605 → 0.859 (issue 13's 0.85), the cycle model exact; +≈ 1,340 LUT (engine, map
  // buffer chunk table in LUTRAM, scheduler), no block RAM. It replaces interfaces.outputOrder
  // 'interleaved' (each output's coordinate beside its cout-tile-0 word), which gave 0.776 alone and
  // 0.790 with the early walk (and is off again here): MinkUNet on the bunny, cycle model at
  // 3acbc44, sections + early walk against interleaved: w0.25 665,765 vs 666,057 cycles (conv k2 s2
  // nodes 7,585 vs 7,877), w1.0 6,923,893 vs 6,923,845 (+0.0007 %: its conv layers have two or more
  // cin tiles, the words wait for the last one).
  fpga: {
    ...baseSpec,
    mapping: { ...baseSpec.mapping, mapFreeDownsample: true, mapFreeTransposed: true, mapFreeEarlyWalk: true, segmentMajor: true, comparePipeline: true, overlapLoad: true },
    matrix: { ...baseSpec.matrix, maxChannels: 512 },
    gatherScatter: { ...baseSpec.gatherScatter, drainPort: true, passGrouping: ['bank', 'offset'], passListDepth: 256 },
    buffers: { ...baseSpec.buffers, keepFeatures: true, w0Interleave: true, weightReadRows: 4 },
  },
  // The downsampler merge and the START checks pipelined (mapping.comparePipeline) as on fpga:
  // with all three pipelining knobs on, the estimate went 33.6 … 63.3 → 64.2 … 107.8 MHz at -2
  // (bench/results/timing.json), the gain from this knob (the merge was the critical path; the
  // tree and requantization stages did not move the top and cost most of +17.8 % FF, so they stay off).
  // Fusion across layers (buffers.keepFeatures): a layer's output words stay in the 65,536-word
  // feature buffer as the next layer's input. Cycle model, MinkUNet on the bunny with --fusion on:
  // off-chip bytes −7 % (w1.0: 34.1 → 31.7 MB) / −11 % (w0.5: 14.7 → 13.2 MB), cycles −1.7 % /
  // −4.4 %, for the fuse stage (18 LUT / 545 FF, Yosys --top) and a 512-bit write mux with two
  // base adders (< 0.5 % of the top's LUT).
  // Off, by measurement (cycle model, bunny): the drain port (a second 65,536 × 2,048-bit
  // accumulator, ≈ +4,100 RAMB36 or +60 %, for conv 0.41 → 0.47), overlapLoad and segmentMajor
  // (64→64 offset-grouped 0.88 → 0.86: the merge is not its limit), map-free transposed without
  // the port (0.37 → 0.38 for the matcher and frontier tree), more lanes (16: 64→64 0.81).
  server: {
    ...baseSpec,
    name: 'sf_server',
    mapping: { ...baseSpec.mapping, lanes: 8, mapFreeDownsample: true, comparePipeline: true },
    gatherScatter: { ...baseSpec.gatherScatter, passGrouping: ['bank', 'offset'] },
    // Four weight-tile rows per read (buffers.weightReadRows, as fpga): a 64-row tile loads into the
    // array in 16 cycles instead of 64, so the short passes of a one-pair layer's start no longer
    // wait for tile loads. Cycle model on the bunny: submanifold k=3 64→64 13,151 → 12,860 cycles
    // (utilisation 0.883 → 0.907; 2 rows: 13,148); MinkUNet w1.0 913,977 → 835,287 (−8.6 %), w0.5
    // 341,078 → 312,884 (−8.3 %). Same weight capacity (4 banks of weightDepth/4 words).
    buffers: { coordDepth: 65536, featureDepth: 65536, weightDepth: 8192, accumulatorDepth: 65536, mapDepth: 524288, keepFeatures: true, w0Interleave: true, weightReadRows: 4 },
    matrix: { ...baseSpec.matrix, rows: 64, cols: 64, maxChannels: 512 },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 512 },
  },
  // The fpga array with 2:4 structured weight sparsity (DESIGN.md §7): the same 16×16 multipliers
  // cover 32 input channels per pass; a 256-bit stream carries a 32-channel feature word and a
  // word of 16 {2-bit position, weight} lanes.
  'fpga-2of4': {
    ...baseSpec,
    name: 'sf_fpga_2of4',
    matrix: { ...baseSpec.matrix, weightSparsity: '2:4' },
    interfaces: { ...baseSpec.interfaces, axisDataWidth: 256 },
  },
} satisfies Record<string, AcceleratorSpec>;

export type PresetName = keyof typeof presets;
export const PRESET_NAMES = Object.keys(presets) as PresetName[];

export function isPresetName(s: string): s is PresetName {
  return Object.hasOwn(presets, s);
}
