// The DSL's public surface: describe an accelerator (object or builder), validate it, load it
// from a file, and read its derived parameters.
export type {
  AcceleratorSpec,
  ArithmeticSpec,
  BufferSpec,
  GatherScatterSpec,
  InterfaceSpec,
  MappingSpec,
  MatrixSpec,
  PostprocessSpec,
} from './spec.ts';
export { acceleratorSchema, crossRules, maxKernelVolume, pointWidth, reductionWidth } from './spec.ts';
export { defineAccelerator, parseSpec, SpecError, validateSpec, type SpecInput } from './define.ts';
export { accelerator, AcceleratorBuilder } from './builder.ts';
export { baseSpec, isPresetName, PRESET_NAMES, presets, type PresetName } from './presets.ts';
export { loadSpecFile, presetSpec, resolveSpec, type SpecSource } from './load.ts';
export { specJsonSchema, specMarkdown } from './docs.ts';
export { randomValidSpec } from './random.ts';
export { inChannelsPerPass, weightIndexWidth, weightPattern } from './sparsity.ts';
export { canonicalJson, configHash, derive, type Derived } from './derive/index.ts';
export type { DeepPartial, Issue } from './schema.ts';
export { assertVerilogIdentifier, isVerilogIdentifier, VERILOG_KEYWORDS } from './identifier.ts';
