// Semantic checks of a layer's shape and of the datapath widths, and the tensor strides they imply.
import { FieldError } from './errors.ts';
import { isPowerOfTwo } from './tensor.ts';
import { LAYER_TYPES, type ArithmeticWidths, type LayerShape } from './types.ts';

function positiveInteger(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new FieldError(field, `must be an integer ≥ 1 (got ${String(v)})`);
  }
}

export function validateLayerShape(layer: LayerShape): void {
  if (typeof layer !== 'object' || layer === null) throw new FieldError('layer', 'must be an object');
  if (!(LAYER_TYPES as readonly string[]).includes(layer.type)) {
    throw new FieldError('layer.type', `must be one of ${LAYER_TYPES.join(', ')} (got ${String(layer.type)})`);
  }
  positiveInteger(layer.kernelSize, 'layer.kernelSize');
  positiveInteger(layer.stride, 'layer.stride');
  positiveInteger(layer.inChannels, 'layer.inChannels');
  positiveInteger(layer.outChannels, 'layer.outChannels');
  if (!isPowerOfTwo(layer.inTensorStride)) {
    throw new FieldError('layer.inTensorStride', `must be a power of two in [1, 2^30] (got ${String(layer.inTensorStride)})`);
  }
  if (layer.type === 'submanifold' && layer.stride !== 1) {
    throw new FieldError('layer.stride', `a submanifold layer has stride 1 (got ${layer.stride})`);
  }
  if (layer.type === 'transposed' && layer.inTensorStride % layer.stride !== 0) {
    throw new FieldError(
      'layer.stride', `a transposed layer's stride must divide layer.inTensorStride ${layer.inTensorStride} (got ${layer.stride})`,
    );
  }
}

/** Tensor stride of the layer's output (DESIGN.md §1). */
export function outTensorStride(layer: LayerShape): number {
  validateLayerShape(layer);
  switch (layer.type) {
    case 'submanifold': return layer.inTensorStride;
    case 'conv': return layer.inTensorStride * layer.stride;
    case 'transposed': return layer.inTensorStride / layer.stride;
  }
}

/** The largest accumulator width the float64 accumulation can hold exactly with room to spare. */
export const MAX_ACC_WIDTH = 48;

export function validateWidths(w: ArithmeticWidths): void {
  const check = (name: keyof ArithmeticWidths, max: number) => {
    const v = w[name];
    if (!Number.isInteger(v) || v < 2 || v > max) throw new FieldError(`widths.${name}`, `must be an integer in [2, ${max}] (got ${v})`);
  };
  check('inWidth', 32);
  check('weightWidth', 32);
  check('accWidth', MAX_ACC_WIDTH);
  check('outWidth', 32);
}

/**
 * The model sums in float64, which is exact only below 2^53: every partial sum of one output is
 * at most (one product's bound) · inChannels · kernelVolume, plus the bias.
 */
export function checkExactReduction(w: ArithmeticWidths, inChannels: number, kernelVolume: number): void {
  const bound = 2 ** (w.inWidth - 1) * 2 ** (w.weightWidth - 1) * inChannels * kernelVolume + 2 ** (w.accWidth - 1);
  if (!(bound < 2 ** 53)) {
    throw new FieldError(
      'widths',
      `inWidth ${w.inWidth} + weightWidth ${w.weightWidth} with ${inChannels} input channels × ${kernelVolume} ` +
        'kernel offsets can exceed the 53-bit range the golden model sums exactly',
    );
  }
}
