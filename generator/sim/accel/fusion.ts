// Fusion across layers on the host side (buffers.keepFeatures, docs/accelerator.md "Fusion
// across layers"): where a layer's kept output words go in the feature buffer, and the host's
// refusal of a job list whose fusion the hardware could not honour. Pure: the network runner's
// cycle-model estimate uses the same placement as co-simulation.
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { FieldError } from '../../model/errors.ts';
import { channelTiles, type HwLayer } from './stream.ts';

/** A range of feature-buffer words [base, base + words). */
export interface FeatureRegion {
  base: number;
  words: number;
}

/**
 * Where the kept output words (`outWords`) of a layer whose input features occupy `input` go:
 * word 0 when they fit below the input, else right after it. A string says why they cannot stay
 * on chip (the layer then streams its output as usual).
 */
export function keptOutputBase(featureDepth: number, input: FeatureRegion, outWords: number): number | string {
  if (outWords <= input.base) return 0;
  const after = input.base + input.words;
  if (after + outWords <= featureDepth) return after;
  return `${outWords} output words do not fit beside the ${input.words} input words in buffers.featureDepth ${featureDepth}`;
}

/** The feature-buffer words of a layer's input (N_in · Ti) and output (N_out · To). */
export function featureWords(spec: AcceleratorSpec, hw: Pick<HwLayer, 'inChannels' | 'outChannels'>, nIn: number, nOut: number): { inWords: number; outWords: number } {
  const { ti, to } = channelTiles(spec, hw);
  return { inWords: nIn * ti, outWords: nOut * to };
}

/**
 * The host's refusal, before anything runs: a job with featOnChip must follow a job that kept
 * exactly its input (FEAT_OUT_BASE = FEAT_IN_BASE, N_out = N_in, To = Ti), and every kept region
 * must fit the buffer without overlapping the layer's input. (The hardware checks the same and
 * raises FEATURES_INVALID / FEATURE_ALIAS; this names the job instead.)
 */
export function checkFusionJobs(spec: AcceleratorSpec, jobs: readonly { hw: HwLayer; nOut: number; label?: string }[]): void {
  const depth = spec.buffers.featureDepth;
  for (let i = 0; i < jobs.length; i++) {
    const { hw, nOut } = jobs[i]!;
    const name = `layer run ${i + 1}${jobs[i]!.label ? ` (${jobs[i]!.label})` : ''}`;
    if ((hw.featOnChip || hw.keepOut) && !spec.buffers.keepFeatures) {
      throw new FieldError('buffers.keepFeatures', `${name}: fusion needs an accelerator generated with buffers.keepFeatures`);
    }
    const { inWords, outWords } = featureWords(spec, hw, hw.inCoords.length, nOut);
    const inBase = hw.featInBase ?? 0;
    if (inBase + inWords > depth) throw new FieldError('featInBase', `${name}: input features [${inBase}, ${inBase + inWords}) leave buffers.featureDepth ${depth}`);
    if (hw.featOnChip) {
      const prev = jobs[i - 1];
      const why = prev === undefined ? 'no previous layer run'
        : !prev.hw.keepOut ? 'the previous layer run did not keep its output'
        : (prev.hw.featOutBase ?? 0) !== inBase ? `its output is at word ${prev.hw.featOutBase ?? 0}, not ${inBase}`
        : prev.nOut !== hw.inCoords.length ? `it kept ${prev.nOut} points, this layer has ${hw.inCoords.length}`
        : channelTiles(spec, prev.hw).to !== channelTiles(spec, hw).ti ? `it kept ${channelTiles(spec, prev.hw).to} channel tiles, this layer reads ${channelTiles(spec, hw).ti}`
        : undefined;
      if (why !== undefined) throw new FieldError('featOnChip', `${name}: cannot read its features on chip: ${why}`);
    }
    if (hw.keepOut) {
      if (!hw.requantOut) throw new FieldError('keepOut', `${name}: only requantized outputs can be kept as the next layer's features`);
      const b = hw.featOutBase ?? 0;
      if (b + outWords > depth) throw new FieldError('featOutBase', `${name}: kept output [${b}, ${b + outWords}) leaves buffers.featureDepth ${depth}`);
      if (outWords > 0 && inWords > 0 && b < inBase + inWords && inBase < b + outWords) {
        throw new FieldError('featOutBase', `${name}: kept output [${b}, ${b + outWords}) overlaps the input features [${inBase}, ${inBase + inWords})`);
      }
    }
  }
}
