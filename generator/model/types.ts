// Shared data types of the golden model (DESIGN.md §1–§2). Every other part of the project
// speaks these types; the model itself imports nothing outside generator/model/.

/** `[b, x, y, z]`: batch index then the three spatial coordinates. */
export type Coord = [number, number, number, number];

export const LAYER_TYPES = ['submanifold', 'conv', 'transposed'] as const;
export type LayerType = (typeof LAYER_TYPES)[number];

export interface LayerShape {
  type: LayerType;
  kernelSize: number;
  stride: number;
  /** Tensor stride of the input tensor (a power of two). */
  inTensorStride: number;
  inChannels: number;
  outChannels: number;
}

export interface Requant {
  /** Per output channel, in [0, 2^31 - 1]. */
  multiplier: number[];
  /** Per output channel, in [0, 63]. */
  shift: number[];
  relu: boolean;
}

/** One layer and its data: the in-memory form of a `sparseforge.layer-case/1` file. */
export interface LayerCase {
  layer: LayerShape;
  input: { coords: Coord[]; features: number[][] };
  /** `weights[kernelIndex][cin][cout]`. */
  weights: number[][][];
  bias?: number[];
  requant?: Requant;
  /** Only for transposed layers: the (finer) output coordinates. */
  outputCoords?: Coord[];
}

/** Integer widths of the datapath; the accelerator spec carries the same fields. */
export interface ArithmeticWidths {
  inWidth: number;
  weightWidth: number;
  accWidth: number;
  outWidth: number;
}

export const DEFAULT_WIDTHS: ArithmeticWidths = { inWidth: 8, weightWidth: 8, accWidth: 32, outWidth: 8 };

/** The in-memory form of a `sparseforge.layer-result/1` file. */
export interface LayerResult {
  /** Tensor stride of the output tensor. */
  tensorStride: number;
  /** Output coordinates in canonical order. */
  coords: Coord[];
  /** Accumulators after bias, wrapped to accWidth, `[point][cout]`. */
  accumulators: number[][];
  /** Requantized outputs, present exactly when the case has `requant`. */
  features?: number[][];
  /** Number of (point, channel) accumulators whose exact value did not fit in accWidth. */
  wraps: number;
}
