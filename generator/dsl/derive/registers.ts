// The AXI4-Lite register map of the accelerator's top level, described as data so that the RTL
// (register file template), the C header, the Markdown doc and the manifest cannot disagree.
// Registers are one bus word apart; 64-bit performance counters take a _LO/_HI pair on a 32-bit
// bus (reading _LO latches _HI so the pair is consistent) and one register on a 64-bit bus.
import type { AcceleratorSpec } from '../spec.ts';
import { addrWidth, clog2, countWidth } from './math.ts';
import { weightPattern } from '../sparsity.ts';
import { PASS_GROUPING_CODES } from '../../model/pass-grouping.ts';

/**
 * RO: writes ignored. RW: read/write. W1C: writing 1 clears the bit. WO: reads as 0; writing 1
 * acts for one cycle (a command pulse).
 */
export type Access = 'RO' | 'RW' | 'W1C' | 'WO';

export interface RegisterField {
  name: string;
  lsb: number;
  width: number;
  /** Bit `lsb + width − 1`: templates never compute it. */
  msb: number;
  access: Access;
  reset: number;
  /** `(2^width − 1) << lsb` in hex (`0x…`), for the C header. */
  mask: string;
  description: string;
}

export interface Register {
  name: string;
  /** Byte offset on the AXI4-Lite bus. */
  offset: number;
  offsetHex: string;
  /** Word index (`offset / stride`): the register file decodes on it. */
  index: number;
  /** Summary of the field accesses: one access if uniform, else `MIXED`. */
  access: Access | 'MIXED';
  reset: number;
  resetHex: string;
  description: string;
  fields: RegisterField[];
}

export interface RegisterMap {
  dataWidth: number;
  /** Bytes between registers (one bus word). */
  stride: number;
  /** AXI4-Lite address bits that the slave decodes (byte address). */
  addrWidth: number;
  /** Bits of the word index. */
  indexWidth: number;
  count: number;
  registers: Register[];
  /** Error codes reported in STATUS.ERROR_CODE. */
  errorCodes: ErrorCode[];
  /** Width of the perf counters (a _LO/_HI pair when wider than the bus). */
  perfCounterWidth: number;
}

export interface ErrorCode {
  name: string;
  code: number;
  description: string;
}

export const ERROR_CODES: ErrorCode[] = [
  { name: 'NONE', code: 0, description: 'No error.' },
  { name: 'UNSUPPORTED_LAYER', code: 1, description: 'LAYER_TYPE is not one of the layer types this accelerator was generated with.' },
  { name: 'BAD_KERNEL', code: 2, description: 'KERNEL_SIZE is 0 or above mapping.maxKernelSize.' },
  { name: 'BAD_STRIDE', code: 3, description: 'STRIDE is not a power of two ≤ mapping.maxStride, or not 1 for a submanifold layer.' },
  { name: 'BAD_CHANNELS', code: 4, description: 'IN_CHANNELS or OUT_CHANNELS is 0 or above matrix.maxChannels.' },
  { name: 'COORD_OVERFLOW', code: 5, description: 'More points than buffers.coordDepth (input or output).' },
  { name: 'FEATURE_OVERFLOW', code: 6, description: 'Input features exceed buffers.featureDepth words.' },
  { name: 'WEIGHT_OVERFLOW', code: 7, description: 'Weights exceed buffers.weightDepth words.' },
  { name: 'ACC_OVERFLOW', code: 8, description: 'Output accumulators exceed buffers.accumulatorDepth words.' },
  { name: 'MAP_OVERFLOW', code: 9, description: 'The kernel map exceeds buffers.mapDepth entries.' },
  { name: 'DUPLICATE_COORD', code: 10, description: 'Two input points with the same coordinates.' },
  { name: 'UNSORTED_COORDS', code: 11, description: 'Input coordinates not in canonical order.' },
  { name: 'STREAM_PROTOCOL', code: 12, description: 'A stream ended early (TLAST) or carried more beats than announced.' },
  {
    name: 'BAD_TENSOR_STRIDE',
    code: 13,
    description: 'The tensor stride is too large for mapping.coordWidth (a shifted or quantized coordinate would leave the range).',
  },
  {
    name: 'REUSE_INVALID',
    code: 14,
    description:
      'LAYER_TYPE.REUSE_MAP is set but no map is kept on chip for this layer: the previous layer did not finish as a submanifold layer with the same KERNEL_SIZE, IN_TENSOR_STRIDE and IN_POINTS.',
  },
  {
    name: 'FEATURES_INVALID',
    code: 15,
    description:
      'FUSION.FEAT_ON_CHIP is set but no features are kept on chip for this layer (the last layer that kept its output did not leave IN_POINTS points of ⌈IN_CHANNELS / channels per pass⌉ words at FEAT_IN_BASE, or a streamed layer, an error or CLEAR came since), or FUSION.KEEP_OUT without POSTPROC.REQUANT_EN.',
  },
  {
    name: 'FEATURE_ALIAS',
    code: 16,
    description: 'FUSION.KEEP_OUT: the output words (FEAT_OUT_BASE + OUT_POINTS · output tiles) leave the feature buffer or overlap the layer\'s input features.',
  },
];

export const ERROR_CODE_WIDTH = 8;
export const REGMAP_MAGIC = 0x5346; // "SF"
/** Bumped whenever a register moves or changes meaning, so drivers can refuse a map they do not know. */
export const REGMAP_VERSION = 1;
export const PERF_COUNTER_WIDTH = 64;

export const LAYER_TYPE_CODES = { submanifold: 0, conv: 1, transposed: 2 } as const;

interface FieldDef {
  name: string;
  width: number;
  access: Access;
  reset?: number;
  lsb?: number;
  description: string;
}

interface RegDef {
  name: string;
  description: string;
  fields: FieldDef[];
}

function hex(v: bigint, digits: number): string {
  return `0x${v.toString(16).toUpperCase().padStart(digits, '0')}`;
}

export interface RegisterInputs {
  spec: AcceleratorSpec;
  configHashWord: number;
  version: { major: number; minor: number; patch: number };
  log2: { coordDepth: number; featureDepth: number; weightDepth: number; accumulatorDepth: number; mapDepth: number };
  layerTypeMask: number;
  tensorStrideLog2Width: number;
}

/** LAYER_TYPE.W0_BLOCK (buffers.w0Interleave): feature words after each first-pair weight tile, 0 … 1023. */
export const W0_BLOCK_WIDTH = 10;

export function deriveRegisters(inp: RegisterInputs): RegisterMap {
  const { spec } = inp;
  const dataWidth = spec.interfaces.axilDataWidth;
  const stride = dataWidth / 8;
  const pp = spec.postprocess;
  const groupings = spec.gatherScatter.passGrouping;
  const groupingMask = groupings.reduce((m, g) => m | (1 << PASS_GROUPING_CODES[g]), 0);
  const groupingField = groupings.length > 1;

  const defs: RegDef[] = [
    {
      name: 'ID',
      description: 'Identifies a sparseforge accelerator and the layout of this register map.',
      fields: [
        { name: 'REGMAP_VERSION', width: 8, access: 'RO', reset: REGMAP_VERSION, description: 'Register-map layout version.' },
        { name: 'MAGIC', lsb: 16, width: 16, access: 'RO', reset: REGMAP_MAGIC, description: '0x5346 ("SF").' },
      ],
    },
    {
      name: 'VERSION',
      description: 'Version of the generator that emitted the RTL.',
      fields: [
        { name: 'PATCH', width: 8, access: 'RO', reset: inp.version.patch, description: 'Patch version.' },
        { name: 'MINOR', width: 8, access: 'RO', reset: inp.version.minor, description: 'Minor version.' },
        { name: 'MAJOR', width: 8, access: 'RO', reset: inp.version.major, description: 'Major version.' },
      ],
    },
    {
      name: 'CONFIG_HASH',
      description: 'First 32 bits of the SHA-256 of the canonical JSON spec (manifest.json `configHash`).',
      fields: [{ name: 'HASH', width: 32, access: 'RO', reset: inp.configHashWord, description: 'Spec hash prefix.' }],
    },
    {
      name: 'CAPS0',
      description: 'Matrix-unit shape.',
      fields: [
        { name: 'ROWS', width: 16, access: 'RO', reset: spec.matrix.rows, description: 'matrix.rows.' },
        { name: 'COLS', width: 16, access: 'RO', reset: spec.matrix.cols, description: 'matrix.cols.' },
      ],
    },
    {
      name: 'CAPS1',
      description: 'Mapping-engine and post-processing capabilities.',
      fields: [
        { name: 'LANES', width: 8, access: 'RO', reset: spec.mapping.lanes, description: 'mapping.lanes.' },
        { name: 'MAX_KERNEL_SIZE', width: 4, access: 'RO', reset: spec.mapping.maxKernelSize, description: 'mapping.maxKernelSize.' },
        { name: 'MAX_STRIDE', width: 4, access: 'RO', reset: spec.mapping.maxStride, description: 'mapping.maxStride.' },
        {
          name: 'LAYER_TYPES',
          width: 3,
          access: 'RO',
          reset: inp.layerTypeMask,
          description: 'Supported layer types, bit = LAYER_TYPE code (0 submanifold, 1 conv, 2 transposed).',
        },
        { name: 'BIAS', lsb: 20, width: 1, access: 'RO', reset: pp.bias ? 1 : 0, description: 'postprocess.bias.' },
        { name: 'REQUANT', width: 1, access: 'RO', reset: pp.requant ? 1 : 0, description: 'postprocess.requant.' },
        { name: 'RELU', width: 1, access: 'RO', reset: pp.relu ? 1 : 0, description: 'postprocess.relu.' },
        { name: 'WEIGHT_N', lsb: 24, width: 3, access: 'RO', reset: weightPattern(spec)?.n ?? 0, description: 'matrix.weightSparsity N of N:M (0: dense).' },
        { name: 'WEIGHT_M_LOG2', width: 2, access: 'RO', reset: clog2(weightPattern(spec)?.m ?? 1), description: 'log2 M of N:M (0: dense).' },
        {
          name: 'PASS_GROUPINGS',
          lsb: 29,
          width: 2,
          access: 'RO',
          reset: groupingMask,
          description: 'gatherScatter.passGrouping: bit = LAYER_TYPE.GROUPING code of a supported policy (0 bank, 1 offset).',
        },
      ],
    },
    {
      name: 'CAPS2',
      description: 'Channel limit and buffer capacities (log2 of each depth), for the driver that cuts tiles.',
      fields: [
        { name: 'MAX_CHANNELS', width: 12, access: 'RO', reset: spec.matrix.maxChannels % 4096, description: 'matrix.maxChannels (0 means 4096).' },
        { name: 'COORD_DEPTH_LOG2', width: 5, access: 'RO', reset: inp.log2.coordDepth, description: 'log2(buffers.coordDepth).' },
        { name: 'FEATURE_DEPTH_LOG2', width: 5, access: 'RO', reset: inp.log2.featureDepth, description: 'log2(buffers.featureDepth).' },
        { name: 'ACC_DEPTH_LOG2', width: 5, access: 'RO', reset: inp.log2.accumulatorDepth, description: 'log2(buffers.accumulatorDepth).' },
        { name: 'MAP_DEPTH_LOG2', width: 5, access: 'RO', reset: inp.log2.mapDepth, description: 'log2(buffers.mapDepth).' },
      ],
    },
    {
      name: 'CAPS3',
      description: 'Weight-buffer capacity.',
      fields: [{ name: 'WEIGHT_DEPTH_LOG2', width: 5, access: 'RO', reset: inp.log2.weightDepth, description: 'log2(buffers.weightDepth).' }],
    },
    {
      name: 'CONTROL',
      description: 'Commands.',
      fields: [
        { name: 'START', width: 1, access: 'WO', description: 'Start the layer described by the layer registers (ignored while busy).' },
        { name: 'CLEAR', width: 1, access: 'WO', description: 'Clear STATUS.DONE/ERROR and the performance counters; abort a running layer.' },
      ],
    },
    {
      name: 'STATUS',
      description: 'Progress and errors.',
      fields: [
        { name: 'BUSY', width: 1, access: 'RO', description: 'A layer is running.' },
        { name: 'DONE', width: 1, access: 'W1C', description: 'The last layer finished (sticky).' },
        { name: 'ERROR', width: 1, access: 'W1C', description: 'The last layer stopped on an error (sticky); see ERROR_CODE.' },
        { name: 'ERROR_CODE', lsb: 8, width: ERROR_CODE_WIDTH, access: 'RO', description: 'Code of the first error since the last clear.' },
      ],
    },
    {
      name: 'LAYER_TYPE',
      description: 'Layer type of the next layer, and whether it reuses the coordinates and kernel map kept on chip.',
      fields: [
        { name: 'TYPE', width: 2, access: 'RW', description: '0 submanifold, 1 conv, 2 transposed.' },
        {
          name: 'REUSE_MAP',
          lsb: 4,
          width: 1,
          access: 'RW',
          description:
            'Reuse the input coordinates and kernel map of the previous layer (submanifold, same KERNEL_SIZE, IN_TENSOR_STRIDE, IN_POINTS and the same coordinates, which the host guarantees): no CIN section is sent and the mapping engine does not run. Else REUSE_INVALID.',
        },
        ...(groupingField
          ? [
              {
                name: 'GROUPING',
                lsb: 8,
                width: 1,
                access: 'RW' as const,
                description:
                  'Pass-grouping policy of the layer (only when the spec supports both): 0 bank (passes bank by bank, a weight tile per pass), 1 offset (one kernel offset\'s passes of every bank behind one weight-tile load).',
              },
            ]
          : []),
        ...(spec.buffers.w0Interleave
          ? [
              {
                name: 'W0_BLOCK',
                lsb: 16,
                width: W0_BLOCK_WIDTH,
                access: 'RW' as const,
                description:
                  'buffers.w0Interleave: feature words the input stream carries after each tile of the first weight pair (the tiles in weight-ring order, the blocks in FEAT order; the rest of FEAT follows the last tile). 0: every tile of the first pair, then FEAT.',
              },
            ]
          : []),
      ],
    },
    {
      name: 'KERNEL_SIZE',
      description: 'Kernel size k of the next layer.',
      fields: [{ name: 'SIZE', width: countWidth(spec.mapping.maxKernelSize), access: 'RW', reset: 1, description: '1 … mapping.maxKernelSize.' }],
    },
    {
      name: 'STRIDE',
      description: 'Layer stride s (1 for submanifold).',
      fields: [{ name: 'STRIDE', width: countWidth(spec.mapping.maxStride), access: 'RW', reset: 1, description: 'Power of two ≤ mapping.maxStride.' }],
    },
    {
      name: 'IN_TENSOR_STRIDE',
      description: 'Tensor stride of the input tensor, as its log2.',
      fields: [{ name: 'LOG2', width: inp.tensorStrideLog2Width, access: 'RW', description: 'log2(ts), below mapping.coordWidth.' }],
    },
    {
      name: 'IN_POINTS',
      description: 'Number of input points.',
      fields: [{ name: 'COUNT', width: countWidth(spec.buffers.coordDepth), access: 'RW', description: '0 … buffers.coordDepth.' }],
    },
    {
      name: 'OUT_POINTS',
      description:
        'Number of output points: written by the host for transposed layers (the output coordinates are given); set by the mapping engine otherwise and read-only in effect.',
      fields: [{ name: 'COUNT', width: countWidth(spec.buffers.coordDepth), access: 'RW', description: '0 … buffers.coordDepth.' }],
    },
    {
      name: 'IN_CHANNELS',
      description: 'Input channels of the next layer.',
      fields: [{ name: 'COUNT', width: countWidth(spec.matrix.maxChannels), access: 'RW', description: '1 … matrix.maxChannels.' }],
    },
    {
      name: 'OUT_CHANNELS',
      description: 'Output channels of the next layer.',
      fields: [{ name: 'COUNT', width: countWidth(spec.matrix.maxChannels), access: 'RW', description: '1 … matrix.maxChannels.' }],
    },
    {
      name: 'POSTPROC',
      description: 'Post-processing of the next layer; only the stages the accelerator was generated with have a bit.',
      fields: [
        ...(pp.bias ? [{ name: 'BIAS_EN', lsb: 0, width: 1, access: 'RW' as const, description: 'Add the bias table.' }] : []),
        ...(pp.requant ? [{ name: 'REQUANT_EN', lsb: 1, width: 1, access: 'RW' as const, description: 'Requantize (else the output carries the accumulators).' }] : []),
        ...(pp.relu ? [{ name: 'RELU_EN', lsb: 2, width: 1, access: 'RW' as const, description: 'Clamp at 0 (needs REQUANT_EN).' }] : []),
      ],
    },
  ];

  const perf: [string, string][] = [
    ['PERF_TOTAL_CYCLES', 'Cycles from START to DONE/ERROR.'],
    ['PERF_MAPPING_CYCLES', 'Cycles the mapping engine was busy.'],
    ['PERF_COMPUTE_CYCLES', 'Cycles the matrix unit accepted a gathered row.'],
    ['PERF_STALL_CYCLES', 'Cycles the matrix unit waited (gather, scatter hazard or output backpressure).'],
    ['PERF_MAP_ENTRIES', 'Kernel-map entries produced.'],
  ];
  for (const [name, description] of perf) {
    if (PERF_COUNTER_WIDTH <= dataWidth) {
      defs.push({ name, description, fields: [{ name: 'COUNT', width: PERF_COUNTER_WIDTH, access: 'RO', description }] });
    } else {
      defs.push({
        name: `${name}_LO`,
        description: `${description} Low word; reading it latches _HI.`,
        fields: [{ name: 'COUNT', width: dataWidth, access: 'RO', description: 'Low bits.' }],
      });
      defs.push({
        name: `${name}_HI`,
        description: `${description} High word, as latched by the last read of _LO.`,
        fields: [{ name: 'COUNT', width: PERF_COUNTER_WIDTH - dataWidth, access: 'RO', description: 'High bits.' }],
      });
    }
  }

  // Fusion across layers (buffers.keepFeatures): after the counters, so that no other offset moves.
  if (spec.buffers.keepFeatures) {
    const aw = addrWidth(spec.buffers.featureDepth);
    defs.push(
      {
        name: 'FUSION',
        description: 'Where the next layer takes its input features from and where its output words go (buffers.keepFeatures).',
        fields: [
          {
            name: 'FEAT_ON_CHIP',
            width: 1,
            access: 'RW',
            description:
              'Read the input features from the feature buffer at FEAT_IN_BASE, where the last layer with KEEP_OUT left them (no FEAT section is sent). Else FEATURES_INVALID.',
          },
          {
            name: 'KEEP_OUT',
            width: 1,
            access: 'RW',
            description: 'Also write the requantized output words into the feature buffer at FEAT_OUT_BASE (word t·OUT_POINTS + q), for the next layer.',
          },
          { name: 'NO_STREAM', width: 1, access: 'RW', description: 'With KEEP_OUT: do not stream the output words (the output coordinates are still streamed).' },
        ],
      },
      {
        name: 'FEAT_IN_BASE',
        description: 'First feature-buffer word of the input features (streamed or kept on chip).',
        fields: [{ name: 'ADDR', width: aw, access: 'RW', description: '0 … buffers.featureDepth − 1.' }],
      },
      {
        name: 'FEAT_OUT_BASE',
        description: 'First feature-buffer word of the kept output words (FUSION.KEEP_OUT); the region must not overlap the input features.',
        fields: [{ name: 'ADDR', width: aw, access: 'RW', description: '0 … buffers.featureDepth − 1.' }],
      },
    );
  }

  const registers: Register[] = defs.map((d, index) => {
    let next = 0;
    let reset = 0n;
    const fields: RegisterField[] = d.fields.map((f) => {
      const lsb = f.lsb ?? next;
      if (lsb < next) throw new Error(`register ${d.name}.${f.name}: overlaps the previous field`);
      next = lsb + f.width;
      if (next > dataWidth) throw new Error(`register ${d.name}.${f.name}: bit ${next - 1} beyond the ${dataWidth}-bit bus`);
      const fieldReset = f.reset ?? 0;
      if (fieldReset < 0 || BigInt(fieldReset) >= 1n << BigInt(f.width)) {
        throw new Error(`register ${d.name}.${f.name}: reset ${fieldReset} does not fit ${f.width} bits`);
      }
      reset |= BigInt(fieldReset) << BigInt(lsb);
      return {
        name: f.name,
        lsb,
        width: f.width,
        msb: lsb + f.width - 1,
        access: f.access,
        reset: fieldReset,
        mask: hex(((1n << BigInt(f.width)) - 1n) << BigInt(lsb), dataWidth / 4),
        description: f.description,
      };
    });
    const accesses = new Set(fields.map((f) => f.access));
    const offset = index * stride;
    return {
      name: d.name,
      offset,
      offsetHex: hex(BigInt(offset), 4),
      index,
      access: accesses.size === 0 ? 'RO' : accesses.size === 1 ? [...accesses][0]! : 'MIXED',
      reset: Number(reset),
      resetHex: hex(reset, dataWidth / 4),
      description: d.description,
      fields,
    };
  });

  const indexWidth = addrWidth(registers.length);
  return {
    dataWidth,
    stride,
    addrWidth: indexWidth + clog2(stride),
    indexWidth,
    count: registers.length,
    registers,
    errorCodes: ERROR_CODES,
    perfCounterWidth: PERF_COUNTER_WIDTH,
  };
}
