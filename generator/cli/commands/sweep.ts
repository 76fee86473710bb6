// `sparseforge sweep`: design-space exploration over a grid file (generator/sweep), its shards,
// their merge, and a Slurm job array that runs the shards on a cluster.
import os from 'node:os';
import { relative, resolve } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import {
  formatDuration,
  loadGridFile,
  mergeSweeps,
  parseShard,
  pointCount,
  runSweep,
  writeSlurmScripts,
  type SweepResults,
  type SweepRun,
} from '../../sweep/index.ts';
import { FieldError } from '../../model/errors.ts';

interface SweepArgs {
  grid: string;
  out?: string;
  jobs?: number;
  verify?: boolean;
  synth?: boolean;
  lint?: boolean;
  cache: boolean;
  cacheDir?: string;
  shard?: string;
  emit?: string;
  shards?: number;
  time?: string;
  partition?: string;
  mem?: string;
  progress: 'auto' | 'bar' | 'lines' | 'none';
}

interface MergeArgs {
  dirs: string[];
  out: string;
}

function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

function paretoLines(r: SweepResults): string[] {
  if (!r.steps.synth) return [];
  return r.workloads.map((w) => {
    const f = r.pareto[w.name];
    return `  Pareto on ${w.name}: cycles vs LUTs ${f?.luts.join(' ') || '–'}; vs DSP48 ${f?.dsp48.join(' ') || '–'}`;
  });
}

function summary(run: SweepRun): string {
  const c = run.counters;
  const r = run.results;
  const count = (s: string) => r.points.filter((p) => p.status === s).length;
  const files = run.files.filter((f) => /results\.(json|csv)$|report\.html$/.test(f)).map((f) => f.split(/[\\/]/).at(-1));
  return [
    `${r.points.length} of ${c.selected} points: ${count('ok')} ok, ${count('invalid')} invalid, ${count('failed')} failed` +
      ` (computed ${c.computed}, from the cache ${c.cached}, resumed ${c.resumed}); Yosys runs ${c.synthRuns}, lint runs ${c.lintRuns}` +
      `${r.steps.verify ? `, co-simulations ${c.simRuns} (${c.verifyFailed} failed)` : ''}; ${formatDuration(run.wallMs)} wall`,
    ...paretoLines(r),
    `wrote ${shown(run.outDir)}/{${files.join(', ')}}`,
  ].join('\n');
}

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'Merge the output folders of sweep shards into one result',
  builder: (y: Argv<object>) =>
    y
      .usage('$0 sweep merge DIR... --out DIR')
      .positional('dirs', { type: 'string', array: true, describe: 'output folders of the shards (--out of each `sweep --shard`)' })
      .option('out', { type: 'string', demandOption: true, normalize: true, describe: 'folder for the merged results.json, results.csv and report.html' })
      .example('$0 sweep merge out/shard-* --out out', 'after `sweep GRID --shard i/N --out out/shard-i` for every i') as unknown as Argv<MergeArgs>,
  handler: async (a) => {
    const m = await mergeSweeps(a.dirs, a.out);
    const r = m.results;
    const ok = r.points.filter((p) => p.status === 'ok').length;
    process.stdout.write(
      [
        `${r.name}: merged ${m.shards} folder(s), ${r.points.length} of ${r.totalPoints} points (${ok} ok)`,
        ...(m.missingShards.length ? [`  shards not given: ${m.missingShards.join(', ')}`] : []),
        ...(m.missing.length ? [`  missing points: ${m.missing.slice(0, 20).join(' ')}${m.missing.length > 20 ? ' …' : ''}`] : []),
        ...paretoLines(r),
        `wrote ${shown(resolve(a.out))}/{results.json, results.csv, report.html}`,
      ].join('\n') + '\n',
    );
    if (m.missing.length > 0) process.exitCode = 1;
  },
};

const runCommand: CommandModule<object, SweepArgs> = {
  command: '$0 <grid>',
  describe: 'Run a sweep',
  builder: (y: Argv<object>) =>
    y
      .positional('grid', { type: 'string', describe: 'grid file (.json, or .ts whose default export is the grid)', normalize: true })
      .option('out', { type: 'string', normalize: true, describe: 'output folder (default sweep-out/<grid name>); re-running into it resumes' })
      .option('jobs', { alias: 'j', type: 'number', describe: `tool processes at once (default: the ${os.availableParallelism()} CPU cores)` })
      .option('verify', { type: 'boolean', describe: 'co-simulate every point on every workload (today: the mapping engine) and compare with the golden and cycle models' })
      .option('synth', { type: 'boolean', describe: 'Yosys resource estimates (default: the grid\'s "synth", true); --no-synth skips them' })
      .option('lint', { type: 'boolean', describe: 'Verilator lint (default: the grid\'s "lint", true); --no-lint skips it' })
      .option('cache', { type: 'boolean', default: true, describe: 'reuse points cached in .cache/sweep (--no-cache re-evaluates every point; lint and Yosys results per RTL unit are still reused, and the output folder still resumes)' })
      .option('cache-dir', { type: 'string', normalize: true, describe: 'cache folder (default .cache of the project, or $SPARSEFORGE_CACHE)' })
      .option('shard', { type: 'string', describe: 'run only share i of N (round-robin over the points), e.g. 2/8' })
      .option('progress', { choices: ['auto', 'bar', 'lines', 'none'] as const, default: 'auto' as const, describe: 'bar on a terminal, one line per point otherwise' })
      .group(['emit', 'shards', 'time', 'partition', 'mem'], 'Cluster (write scripts, run nothing):')
      .option('emit', { choices: ['slurm'], describe: 'write an sbatch job-array script (one task per shard) and a merge script into --out' })
      .option('shards', { type: 'number', describe: 'number of shards (array tasks) for --emit slurm' })
      .option('time', { type: 'string', describe: 'sbatch --time per task (default 04:00:00)' })
      .option('partition', { type: 'string', describe: 'sbatch --partition' })
      .option('mem', { type: 'string', describe: 'sbatch --mem per task, e.g. 8G' })
      .conflicts('emit', 'shard') as unknown as Argv<SweepArgs>,
  handler: async (a) => {
    const grid = await loadGridFile(a.grid);
    const outDir = a.out ?? `sweep-out/${grid.name}`;
    if (a.jobs !== undefined && (!Number.isInteger(a.jobs) || a.jobs < 1)) throw new FieldError('--jobs', `must be a positive integer, got ${a.jobs}`);
    if (a.emit === 'slurm') {
      if (a.shards === undefined) throw new FieldError('--shards', 'give the number of shards (array tasks) for --emit slurm');
      const extra = [
        ...(a.verify ? ['--verify'] : []),
        ...(a.synth === false ? ['--no-synth'] : []),
        ...(a.lint === false ? ['--no-lint'] : []),
        ...(a.cache ? [] : ['--no-cache']),
        '--progress',
        'lines',
      ];
      const files = await writeSlurmScripts({
        gridFile: a.grid,
        outDir,
        shards: a.shards,
        name: grid.name,
        cpus: a.jobs ?? 4,
        time: a.time,
        partition: a.partition,
        mem: a.mem,
        sweepArgs: extra,
        cacheRoot: a.cacheDir,
      });
      const n = pointCount(grid);
      process.stdout.write(
        [
          `${grid.name}: ${n} points in ${a.shards} shards (about ${Math.ceil(n / a.shards)} each)`,
          `wrote ${files.map(shown).join(', ')}`,
          'submit with:',
          `  jobid=$(sbatch --parsable ${shown(files[0]!)})`,
          `  sbatch --dependency=afterok:$jobid ${shown(files[1]!)}`,
        ].join('\n') + '\n',
      );
      return;
    }
    if (a.shards !== undefined) throw new FieldError('--shards', 'only with --emit slurm (to run one shard here, use --shard i/N)');
    const shard = a.shard !== undefined ? parseShard(a.shard) : undefined;
    const ac = new AbortController();
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals > 1) process.exit(130);
      process.stderr.write('\nsparseforge: interrupted; writing the results of the finished points (Ctrl-C again to quit at once)\n');
      ac.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const n = pointCount(grid);
    const steps = [
      (a.lint ?? grid.lint) && 'lint',
      (a.synth ?? grid.synth) && 'Yosys',
      'cycle model',
      (a.verify ?? grid.verify) && 'co-simulation',
    ]
      .filter(Boolean)
      .join(', ');
    process.stdout.write(
      `sweep ${grid.name}: ${n} points${shard ? ` (shard ${shard.index}/${shard.count})` : ''} × ${grid.workloads.length} workload(s); ${steps}; ` +
        `${a.jobs ?? os.availableParallelism()} jobs → ${shown(resolve(outDir))}\n`,
    );
    try {
      const run = await runSweep(grid, {
        outDir,
        jobs: a.jobs,
        steps: { verify: a.verify, synth: a.synth, lint: a.lint },
        shard,
        cacheRoot: a.cacheDir,
        useCache: a.cache,
        progress: a.progress,
        signal: ac.signal,
      });
      process.stdout.write(`${summary(run)}\n`);
      if (run.interrupted) {
        process.stderr.write(`sparseforge: interrupted with ${run.results.missing.length} point(s) left; run the same command again to resume\n`);
        process.exitCode = 130;
      } else if (run.counters.failed > 0 || run.counters.verifyFailed > 0) {
        process.exitCode = 1;
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

export const sweepCommand: CommandModule<object, object> = {
  command: 'sweep',
  describe: 'Design-space exploration: resources and predicted cycles over a grid of specs and workloads',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 sweep GRID.(json|ts) [--out DIR] [--jobs N] [--verify] [--shard i/N]\n' +
          '$0 sweep GRID --emit slurm --shards N [--out DIR]\n' +
          '$0 sweep merge DIR... --out DIR\n\n' +
          'For every point of the grid: generate the RTL, lint it, estimate FPGA resources with Yosys and predict\n' +
          'cycles on every workload; results.json, results.csv and an offline report.html (Pareto fronts,\n' +
          'utilisation, every point) go to --out. Finished points are cached (.cache/sweep) and journaled in\n' +
          '--out: an interrupted sweep resumes when re-run, and an unchanged point is never recomputed.',
      )
      .command(mergeCommand as CommandModule<object, MergeArgs>)
      .command(runCommand as CommandModule<object, SweepArgs>)
      .example('$0 sweep scripts/sweeps/small.json --out out/small', 'a small grid on the bunny')
      .example('$0 sweep scripts/sweeps/small.json --shard 2/4 --out out/small/shard-2', 'one quarter of it')
      .example('$0 sweep merge out/small/shard-* --out out/small', 'combine the shards'),
  handler: () => undefined,
};
