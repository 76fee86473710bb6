// Matrix unit against the golden model, bit-exact, under random backpressure on every port:
// presets tiny/edge/fpga, a wrapping accumulator and 20 random specs; several seeds per build.
import { describe, expect, it } from 'vitest';
import { cosim } from '../../generator/sim/cosim.ts';
import { encodeMatrixCase, expectedMatrix, randomMatrixCase } from '../../generator/sim/matrix.ts';
import { buildConfig, CONFIG_TIMEOUT_MS, simConfigs } from './configs.ts';

/** Stall settings per seed: none, uniform, and skewed per port. */
const RUNS: { seed: number; stall: number; stallPorts?: Record<string, number> }[] = [
  { seed: 11, stall: 0 },
  { seed: 12, stall: 0.3 },
  { seed: 13, stall: 0.1, stallPorts: { w: 0.8, y: 0.6 } },
  { seed: 14, stall: 0.5, stallPorts: { x: 0.05 } },
];

describe('matrix unit co-simulation', () => {
  for (const config of simConfigs()) {
    it(
      `${config.name}: ${config.spec.matrix.rows}x${config.spec.matrix.cols}, in ${config.spec.arithmetic.inWidth} b, w ${config.spec.arithmetic.weightWidth} b`,
      async () => {
        const b = await buildConfig(config, { all: true });
        const { tb } = b;
        for (const run of RUNS) {
          const c = randomMatrixCase(tb.matrix, run.seed * 1000 + config.name.length, {
            passes: 16,
            maxRows: 2 * tb.matrix.rows + 2,
          });
          const enc = encodeMatrixCase(c, tb.streams.w, tb.streams.x);
          const expected = expectedMatrix(tb.matrix, c);
          const r = await cosim({
            caseName: `matrix-${config.name}-seed${run.seed}`,
            build: b.buildOptions,
            run: {
              seed: run.seed,
              stall: run.stall,
              stallPorts: run.stallPorts,
              inputs: {
                w: { beats: enc.w, width: tb.streams.w.width },
                x: { beats: enc.x, width: tb.streams.x.width },
              },
            },
            checks: [
              { stream: 'y', layout: tb.streams.y, expected },
              { stream: 'z', layout: tb.streams.z, expected: [] },
            ],
          });
          expect(r.mismatches).toEqual([]);
          expect(r.result.outputs.y).toHaveLength(expected.length);
        }
      },
      CONFIG_TIMEOUT_MS,
    );
  }
});
