// `sparseforge verify`: the random verification campaign of the complete accelerator
// (docs/verification.md): random specs or presets × random clouds × random layer cases,
// co-simulated under random backpressure against the golden model, with optional coverage.
import { resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { PRESET_NAMES } from '../../dsl/presets.ts';
import { FieldError } from '../../model/errors.ts';
import { runCampaign } from '../../verify/campaign.ts';
import { formatCoverage } from '../../verify/coverage.ts';

interface VerifyArgs {
  seeds: number;
  preset?: string[];
  randomSpecs: boolean;
  specSeeds?: string;
  poolSize?: number;
  jobs?: number;
  firstSeed: number;
  out?: string;
  coverage: boolean;
  minimize: boolean;
  maxPoints?: number;
  minLines?: number;
  json: boolean;
}

export const verifyCommand: CommandModule<object, VerifyArgs> = {
  command: 'verify',
  describe: 'Random verification campaign: random specs/clouds/layers on the RTL vs the golden model, with coverage',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 verify --seeds N [--preset P | --random-specs] [--jobs J] [--first-seed S] [--out DIR] [--coverage]\n\n' +
          'Per seed: a spec (the preset, or one of a pool of ⌈N/10⌉ random valid specs), a random cloud (blobs,\n' +
          'scatter, lines, planes; negative coordinates, batches, tensor strides) and a random layer case the spec\n' +
          'runs, co-simulated on <name>_accel under random backpressure and compared with the golden model. Seeds\n' +
          'are grouped by spec (one Verilator build each). A failure prints the seed and the command reproducing\n' +
          'it, and writes the case, its greedy minimization and the spec JSON to DIR/failures/seed-<S>/. Writes\n' +
          'DIR/summary.json; --coverage adds DIR/coverage/ (line + toggle per module, annotated sources).\n' +
          'Exit status 1 when a case fails (or line coverage is below --min-lines).',
      )
      .option('seeds', { type: 'number', demandOption: true, describe: 'number of cases' })
      .option('preset', { type: 'string', array: true, choices: PRESET_NAMES, describe: 'preset(s); seeds go round-robin over them (default tiny)' })
      .option('random-specs', { type: 'boolean', default: false, describe: 'draw the specs from a pool of random valid specs' })
      .option('spec-seeds', { type: 'string', describe: 'comma-separated randomValidSpec seeds of the pool (with --random-specs)' })
      .option('pool-size', { type: 'number', describe: 'random specs in the pool (default ⌈seeds/10⌉)' })
      .option('jobs', { alias: 'j', type: 'number', describe: 'concurrent simulations (default: cores)' })
      .option('first-seed', { type: 'number', default: 1, describe: 'seeds are first-seed … first-seed + seeds − 1' })
      .option('out', { type: 'string', describe: 'output folder (default .cache/verify/run-<pid>)', normalize: true })
      .option('coverage', { type: 'boolean', default: false, describe: 'coverage builds (line + toggle) and a per-module report' })
      .option('min-lines', { type: 'number', describe: 'with --coverage: fail below this line coverage (percent)' })
      .option('minimize', { type: 'boolean', default: true, describe: 'minimize failing cases (--no-minimize to skip)' })
      .option('max-points', { type: 'number', describe: 'at most this many points drawn per cloud (default 48)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the summary JSON on stdout' })
      .example('$0 verify --seeds 40 --preset tiny --coverage', 'the CI campaign with coverage')
      .example('$0 verify --seeds 1000 --random-specs --out bench/results/verify', 'a long campaign') as unknown as Argv<VerifyArgs>,
  handler: async (a) => {
    if (!Number.isInteger(a.seeds) || a.seeds < 1) throw new FieldError('--seeds', `must be a positive integer, got ${a.seeds}`);
    if (!Number.isSafeInteger(a.firstSeed) || a.firstSeed < 0) throw new FieldError('--first-seed', `must be a non-negative integer, got ${a.firstSeed}`);
    if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new FieldError('--jobs', `must be a positive integer, got ${a.jobs}`);
    if (a.randomSpecs && a.preset !== undefined) throw new FieldError('--random-specs', 'conflicts with --preset (choose one)');
    let specSeeds: number[] | undefined;
    if (a.specSeeds !== undefined) {
      if (!a.randomSpecs) throw new FieldError('--spec-seeds', 'needs --random-specs');
      specSeeds = a.specSeeds.split(',').map((s) => Number(s.trim()));
      if (specSeeds.some((s) => !Number.isSafeInteger(s) || s < 0)) throw new FieldError('--spec-seeds', `must be non-negative integers, got ${a.specSeeds}`);
    }
    const argv = process.argv.slice(2).join(' ');
    const s = await runCampaign({
      seeds: a.seeds,
      firstSeed: a.firstSeed,
      presets: a.preset,
      randomSpecs: a.randomSpecs,
      specSeeds,
      poolSize: a.poolSize,
      jobs: a.jobs,
      out: a.out ? resolve(a.out) : undefined,
      coverage: a.coverage,
      minimize: a.minimize,
      gen: a.maxPoints !== undefined ? { maxPoints: a.maxPoints } : undefined,
      command: `sparseforge ${argv}`,
    });
    if (a.json) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else {
      const lt = Object.entries(s.perLayerType).map(([t, v]) => `${t} ${v.cases}${v.failed ? ` (${v.failed} failed)` : ''}`).join(', ');
      process.stdout.write(
        `verify: ${s.cases} cases on ${s.specs.length} spec(s), ${s.passed} passed, ${s.mismatches} mismatches, ${s.errors} errors, ${(s.wallMs / 1000).toFixed(1)} s\n` +
          `  layer types: ${lt}\n` +
          `  summary: ${s.out}/summary.json\n` +
          s.failures.map((f) => `  FAIL seed ${f.seed} (${f.spec}): ${f.message}\n    reproduce: ${f.reproduce}\n    case: ${f.dir}\n`).join(''),
      );
      if (s.coverage) process.stdout.write(formatCoverage(s.coverage));
    }
    for (const f of s.buildFailures) process.stdout.write(`  BUILD FAILED ${f.spec} (${f.seeds} seeds not run): ${f.message}\n    spec: ${f.dir}\n`);
    if (s.failures.length > 0 || s.buildFailures.length > 0) process.exitCode = 1;
    if (a.minLines !== undefined && s.coverage && s.coverage.lines.pct < a.minLines) {
      process.stderr.write(`line coverage ${s.coverage.lines.pct} % is below --min-lines ${a.minLines}\n`);
      process.exitCode = 1;
    }
  },
};
