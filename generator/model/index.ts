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
export { runLayer, runLayerFlat, layerOutputCoords, outTensorStride, type LayerRun, type LayerFlatRun } from './layer.ts';
export { MAX_ACC_WIDTH } from './layer-shape.ts';
export { layerStats, type LayerStats } from './stats.ts';
export {
  parseNmPattern, nmName, findNmViolation, channelsPerPass, positionBits, describeNmViolation, NM_PATTERN_NAMES, NM_PATTERN_RULE, NM_GROUP_SIZES,
  type NmPattern, type NmViolation,
} from './sparsity.ts';
export * from './network-types.ts';
export { planNetwork, nodeLayerShape, checkAddParams, type NetworkPlan, type NodeInfo, type PlanOptions } from './network-plan.ts';
export {
  runNetwork, runNode, nodeLayerCase, canonicalInput, pickResult, networkShapes, shapeNode, requantSaturated,
  type NodeShape,
  type NodeStats, type NodeRun, type NetworkRun, type RunNetworkOptions, type NetworkShapeRun,
} from './network.ts';
export { addFeatures, concatFeatures, checkSameCoords } from './network-add.ts';
