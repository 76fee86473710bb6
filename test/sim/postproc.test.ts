// Post-processing unit against the golden model (wrapSigned + requantize), bit-exact, every shift
// 0 … 2^shiftWidth − 1, extreme accumulators/biases/multipliers, random backpressure.
// Configurations run in the reverse order of matrix.test.ts so that two workers build different
// configurations at the same time instead of waiting for each other's build lock.
import { describe, expect, it } from 'vitest';
import { cosim } from '../../generator/sim/cosim.ts';
import { encodePostprocBeats, expectedPostproc, randomPostprocBeats } from '../../generator/sim/postproc.ts';
import { buildConfig, CONFIG_TIMEOUT_MS, simConfigs } from './configs.ts';

const RUNS: { seed: number; stall: number; stallPorts?: Record<string, number> }[] = [
  { seed: 21, stall: 0 },
  { seed: 22, stall: 0.3 },
  { seed: 23, stall: 0.1, stallPorts: { a: 0.7, z: 0.05 } },
  { seed: 24, stall: 0.1, stallPorts: { a: 0.05, z: 0.8 } },
];

describe('post-processing unit co-simulation', () => {
  for (const config of simConfigs().reverse()) {
    const pp = config.spec.postprocess;
    it(
      `${config.name}: ${config.spec.matrix.cols} lanes, acc ${config.spec.arithmetic.accWidth} b, out ${config.spec.arithmetic.outWidth} b, ` +
        `${pp.bias ? 'bias' : 'no bias'}, ${pp.requant ? `m ${pp.multiplierWidth} b, sh ${pp.shiftWidth} b` : 'no requant'}${pp.relu ? ', relu' : ''}`,
      async () => {
        const b = await buildConfig(config, { all: true });
        const { tb } = b;
        for (const run of RUNS) {
          const beats = randomPostprocBeats(tb.postproc, run.seed * 1000 + config.name.length, 160);
          const expected = expectedPostproc(tb.postproc, beats);
          const r = await cosim({
            caseName: `postproc-${config.name}-seed${run.seed}`,
            build: b.buildOptions,
            run: {
              seed: run.seed,
              stall: run.stall,
              stallPorts: run.stallPorts,
              inputs: { a: { beats: encodePostprocBeats(tb.postproc, tb.streams.a, beats), width: tb.streams.a.width } },
            },
            checks: [
              { stream: 'z', layout: tb.streams.z, expected },
              { stream: 'y', layout: tb.streams.y, expected: [] },
            ],
          });
          expect(r.mismatches).toEqual([]);
        }
      },
      CONFIG_TIMEOUT_MS,
    );
  }
});
