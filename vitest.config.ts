import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

// The files that take minutes (Yosys on accelerator tops, the verification campaign, the cycle
// model against co-simulation), longest first: started first, they run beside each other and the
// short files fill in around them, instead of one of them starting last on an otherwise idle
// machine. Vitest's own order (file size on a fresh checkout) does not know this.
const LONG_FIRST = [
  'test/synth/server.long.test.ts',
  'test/synth/ice40-accel.long.test.ts',
  'test/synth/synth.test.ts',
  'test/synth/ice40-accel.test.ts',
  'test/verify/campaign.test.ts',
  'test/synth/sparse.test.ts',
  'test/accel/cycle-model.test.ts',
];

class LongFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification): number => {
      const i = LONG_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? LONG_FIRST.length : i;
    };
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    // `*.long.test.ts` (the server preset's synthesis and clock estimate: ≈ 10 min and 5 GB on one
    // core; the iCE40 place and route of ICE40_SPEC, ≈ 4 min at 96 % of the HX8K) run in `npm run test:long`, part of `npm run verify:long`, not in CI's `npm test`,
    // which must stay under 20 minutes.
    include: process.env.SPARSEFORGE_LONG_TESTS === '1' ? ['test/**/*.long.test.ts'] : ['test/**/*.test.ts'],
    exclude: process.env.SPARSEFORGE_LONG_TESTS === '1' ? [] : ['test/**/*.long.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    // Verilator builds are CPU-bound; the build cache serialises per configuration.
    pool: 'forks',
    // One test file per core (vitest's default leaves one core to itself, which idles here: the
    // work is in Verilator, Yosys and the harness). Each worker has its own run folder.
    maxWorkers: availableParallelism(),
    setupFiles: ['test/setup-worker.ts'],
    sequence: { sequencer: LongFirstSequencer },
  },
});
