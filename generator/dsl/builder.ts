// The chaining form of defineAccelerator: `accelerator('x').matrix({ rows: 8 }).build()`.
// Each unit method merges its partial into the unit (repeated calls accumulate) and returns a
// new builder, so a half-built accelerator can be shared and specialised. `build()` goes through
// defineAccelerator, so both forms produce the same object and the same errors.
import { defineAccelerator, type SpecInput } from './define.ts';
import { baseSpec } from './presets.ts';
import { deepMerge, type DeepPartial } from './schema.ts';
import type { AcceleratorSpec } from './spec.ts';

type Unit = Exclude<keyof AcceleratorSpec, 'name'>;

export class AcceleratorBuilder {
  readonly #base: AcceleratorSpec;
  readonly #partial: SpecInput;

  constructor(name: string, base: AcceleratorSpec = baseSpec, partial?: SpecInput) {
    this.#base = base;
    this.#partial = partial ?? { name };
  }

  #with<U extends Unit>(unit: U, part: DeepPartial<AcceleratorSpec[U]>): AcceleratorBuilder {
    const next = deepMerge(this.#partial, { [unit]: part }) as SpecInput;
    return new AcceleratorBuilder(next.name, this.#base, next);
  }

  arithmetic(p: DeepPartial<AcceleratorSpec['arithmetic']>): AcceleratorBuilder {
    return this.#with('arithmetic', p);
  }
  mapping(p: DeepPartial<AcceleratorSpec['mapping']>): AcceleratorBuilder {
    return this.#with('mapping', p);
  }
  buffers(p: DeepPartial<AcceleratorSpec['buffers']>): AcceleratorBuilder {
    return this.#with('buffers', p);
  }
  gatherScatter(p: DeepPartial<AcceleratorSpec['gatherScatter']>): AcceleratorBuilder {
    return this.#with('gatherScatter', p);
  }
  matrix(p: DeepPartial<AcceleratorSpec['matrix']>): AcceleratorBuilder {
    return this.#with('matrix', p);
  }
  postprocess(p: DeepPartial<AcceleratorSpec['postprocess']>): AcceleratorBuilder {
    return this.#with('postprocess', p);
  }
  interfaces(p: DeepPartial<AcceleratorSpec['interfaces']>): AcceleratorBuilder {
    return this.#with('interfaces', p);
  }

  /** The partial spec collected so far (what `build()` merges over the base). */
  toInput(): SpecInput {
    return structuredClone(this.#partial);
  }

  /** Validates and returns the spec; throws SpecError naming the field. */
  build(): AcceleratorSpec {
    return defineAccelerator(this.#partial, this.#base);
  }
}

/** Start a builder; `base` defaults to baseSpec (pass a preset to specialise it). */
export function accelerator(name: string, base: AcceleratorSpec = baseSpec): AcceleratorBuilder {
  return new AcceleratorBuilder(name, base);
}

