// fast-check arbitraries over accelerator specs, for property tests here and in the
// co-simulation suites. Valid specs come from randomValidSpec (seeded), so a failing case is
// reproducible from its seed alone.
import fc from 'fast-check';
import { randomValidSpec, type AcceleratorSpec } from '../../generator/dsl/index.ts';

export const specSeed = (): fc.Arbitrary<number> => fc.nat({ max: 2 ** 31 - 1 });

/** Valid specs. */
export const validSpec = (): fc.Arbitrary<AcceleratorSpec> => specSeed().map(randomValidSpec);
