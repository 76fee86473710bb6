// Benchmark runner: `npm run bench` runs every bench/*.bench.ts; `npm run bench -- model` (any
// number of names) runs only bench/<name>.bench.ts. Each report is written to
// bench/results/<name>.json and summarised on stdout; the exit code is 1 when a target fails.
//
// To add a benchmark, create bench/<name>.bench.ts whose default export is a `Bench`
// (bench/harness.ts): a name, a one-line description and a `run(log)` returning a BenchReport.
// harness.ts has the timing helper (`measure`: warm-up, then medians of wall and CPU time), the
// throughput and target constructors and the machine description.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { summary, type Bench } from './harness.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

async function main(names: string[]): Promise<number> {
  const available = fs.readdirSync(here).filter((f) => f.endsWith('.bench.ts')).map((f) => f.slice(0, -'.bench.ts'.length)).sort();
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length > 0) {
    process.stderr.write(`bench: no bench/${unknown[0]}.bench.ts (available: ${available.join(', ')})\n`);
    return 2;
  }
  let failed = false;
  for (const name of names.length > 0 ? names : available) {
    const mod = (await import(pathToFileURL(path.join(here, `${name}.bench.ts`)).href)) as { default: Bench };
    const bench = mod.default;
    process.stdout.write(`== ${bench.name}: ${bench.description}\n`);
    const report = await bench.run((line) => process.stdout.write(`   ${line}\n`));
    const file = path.join(here, 'results', `${bench.name}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`${summary(report)}\n   written to ${path.relative(process.cwd(), file)}\n`);
    failed ||= !report.pass;
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
