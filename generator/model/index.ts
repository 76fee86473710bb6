// The golden model's public surface; other parts of the project import from here.
export * from './types.ts';
export * from './errors.ts';
export { compareCoords, canonicalPermutation, validateTensor, isPowerOfTwo } from './tensor.ts';
export { kernelVolume, kernelAxisOffsets, kernelOffsets, centreIndex, mirrorIndex, type Offset } from './kernel.ts';
export {
  buildKernelMapHash, buildKernelMapMerge, buildSubmanifoldMapSymmetric, countMapEntries,
  type KernelMap, type MapPairs, type MapSign,
} from './kernel-map.ts';
export { convOutputCoords } from './downsample.ts';
export { signedRange, fitsSigned, wrapSigned, requantize } from './arith.ts';
export { runLayer, layerOutputCoords, outTensorStride, type LayerRun } from './layer.ts';
export { MAX_ACC_WIDTH } from './layer-shape.ts';
export { layerStats, type LayerStats } from './stats.ts';
export {
  parseNmPattern, nmName, findNmViolation, describeNmViolation, NM_PATTERN_NAMES, NM_PATTERN_RULE, NM_GROUP_SIZES,
  type NmPattern, type NmViolation,
} from './sparsity.ts';
