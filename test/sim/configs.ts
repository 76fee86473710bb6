// Configurations co-simulated by test/sim: three presets, one deliberately narrow accumulator
// (partial sums wrap), and 20 small random valid specs. One Verilator build per configuration
// (the test top holds both units), reused by every test and seed; builds are cached in
// .cache/verilator across runs (ccache makes even a changed RTL cheap to rebuild).
import { presets } from '../../generator/dsl/presets.ts';
import { randomValidSpec } from '../../generator/dsl/random.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { buildSim, type BuildResult } from '../../generator/sim/build.ts';
import { renderModules } from '../../generator/sim/render.ts';
import { deriveSimTop, simTopBinding, TB_TEMPLATES, type SimTopDerived } from '../../generator/sim/tb.ts';

export interface SimConfig {
  name: string;
  spec: AcceleratorSpec;
}

/** Random specs small enough to build in a few seconds: rows, cols ≤ 8. */
export function smallRandomSpecs(count: number): AcceleratorSpec[] {
  const out: AcceleratorSpec[] = [];
  for (let seed = 1; out.length < count; seed++) {
    const s = randomValidSpec(seed);
    if (s.matrix.rows <= 8 && s.matrix.cols <= 8) out.push(s);
  }
  return out;
}

/**
 * tiny with both pipelining knobs on (test/sim, test/accel/pipeline.test.ts), and the accumulator
 * drain port, whose drain also passes the deeper post-processing.
 */
export const PIPE_SPEC: AcceleratorSpec = {
  ...presets.tiny,
  name: 'sf_pipe',
  gatherScatter: { ...presets.tiny.gatherScatter, drainPort: true },
  matrix: { ...presets.tiny.matrix, treePipeline: 1 },
  postprocess: { ...presets.tiny.postprocess, pipelineStages: 3 },
};

export const RANDOM_SPEC_COUNT = Number(process.env.SPARSEFORGE_SIM_RANDOM_SPECS ?? 20);

export function simConfigs(): SimConfig[] {
  const list: SimConfig[] = [
    { name: 'tiny', spec: presets.tiny },
    { name: 'edge', spec: presets.edge },
    { name: 'fpga', spec: presets.fpga },
    // Not a valid product spec (accWidth below the reduction width): exercises partial sums that
    // wrap to accWidth, and a 4-stage requantizer on a narrow accumulator. The array keeps
    // power-of-two sides (a DSL rule the top level's derivation relies on) but is not square.
    {
      name: 'wrap',
      spec: {
        ...presets.tiny,
        name: 'sf_wrap',
        arithmetic: { inWidth: 8, weightWidth: 8, accWidth: 14, outWidth: 6 },
        matrix: { ...presets.tiny.matrix, rows: 8, cols: 2 },
        postprocess: { bias: true, requant: true, relu: true, multiplierWidth: 9, shiftWidth: 5, pipelineStages: 0 },
      },
    },
    // The pipelining knobs (issue 15): tiny with one more adder-tree stage (every level registered)
    // and all three requantization stages; a 16-row column with every tree level registered (two
    // extra stages) and the split multiply alone.
    { name: 'pipe', spec: PIPE_SPEC },
    {
      name: 'pipe16',
      spec: {
        ...presets.tiny,
        name: 'sf_pipe16',
        matrix: { ...presets.tiny.matrix, rows: 16, cols: 2, treePipeline: 2 },
        postprocess: { ...presets.tiny.postprocess, pipelineStages: 1 },
        buffers: { ...presets.tiny.buffers, weightDepth: 512 },
        interfaces: { ...presets.tiny.interfaces, axisDataWidth: 128 },
      },
    },
  ];
  for (const s of smallRandomSpecs(RANDOM_SPEC_COUNT)) list.push({ name: s.name, spec: s });
  return list;
}

export interface BuiltConfig {
  config: SimConfig;
  tb: SimTopDerived;
  build: BuildResult;
  buildOptions: Parameters<typeof buildSim>[0];
}

function buildOne(config: SimConfig): Promise<BuiltConfig> {
  return (async () => {
    const tb = deriveSimTop(config.spec);
    const files = renderModules(config.spec, TB_TEMPLATES, { tb });
    const buildOptions = { files, top: tb.module, binding: simTopBinding(tb) };
    const build = await buildSim(buildOptions);
    return { config, tb, build, buildOptions };
  })();
}

const builds = new Map<string, Promise<BuiltConfig>>();

/**
 * The build of one configuration. With `all` (the suites that go through every configuration),
 * the first call starts the builds of every configuration of simConfigs() at once: buildSim runs
 * at most one build per core (slot locks shared by all processes), so both cores stay busy while
 * the tests consume the builds in order.
 */
export function buildConfig(config: SimConfig, opts: { all?: boolean } = {}): Promise<BuiltConfig> {
  if (opts.all && !builds.has('*')) {
    builds.set('*', Promise.resolve(undefined as unknown as BuiltConfig));
    for (const c of simConfigs()) {
      if (builds.has(c.name)) continue;
      const p = buildOne(c);
      p.catch(() => {}); // reported by the test that awaits it
      builds.set(c.name, p);
    }
  }
  let p = builds.get(config.name);
  if (!p) {
    p = buildOne(config);
    builds.set(config.name, p);
  }
  return p;
}

/** Test timeout of one configuration: a cold build of the fpga preset takes ~25 s on a loaded 2-core machine. */
export const CONFIG_TIMEOUT_MS = 600_000;
