// The `sparseforge sweep` command line: shards run in parallel by GNU parallel and merged give the
// unsharded result byte for byte; Slurm scripts; Ctrl-C keeps finished points and the re-run
// resumes; missing Yosys and bad grid files give one-line errors.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../generator/emit/render.ts';
import { microGrid, tempDir, writeGrid } from './helpers.ts';

const BIN = join(PROJECT_ROOT, 'bin', 'sparseforge');
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

function sweep(args: string[], env: Record<string, string> = {}) {
  return execa(BIN, ['sweep', ...args], { reject: false, all: true, env });
}

describe('sparseforge sweep (CLI)', () => {
  it('runs shards in parallel with GNU parallel; their merge equals the unsharded sweep', async () => {
    const dir = tempDir();
    // Six points, one of them invalid, so shards of 3 differ in size and content.
    const grid = writeGrid(dir, microGrid({ grid: { 'mapping.lanes': [1, 2, 99], 'matrix.rows,matrix.cols': [[2, 2], [4, 4]] } }));
    const full = await sweep([grid, '--out', join(dir, 'full'), '--cache-dir', join(dir, 'cache-full'), '--progress', 'lines']);
    expect(full.exitCode, full.all).toBe(0);
    expect(full.stdout).toMatch(/^sweep micro: 6 points × 2 workload\(s\); cycle model; \d+ jobs → /);
    expect(full.stdout).toContain('6 of 6 points: 4 ok, 2 invalid, 0 failed (computed 4, from the cache 0, resumed 0)');

    const shards = await execa(
      'parallel',
      ['--will-cite', '--halt', 'now,fail=1', '-j', '3', BIN, 'sweep', grid, '--shard', '{}/3', '--out', join(dir, 'shard-{}'), '--cache-dir', join(dir, 'cache-shards'), '--progress', 'none', ':::', '1', '2', '3'],
      { reject: false, all: true },
    );
    expect(shards.exitCode, shards.all).toBe(0);
    expect(shards.stdout).toMatch(/sweep micro: 6 points \(shard 2\/3\)/);
    const sizes = [1, 2, 3].map((i) => JSON.parse(read(join(dir, `shard-${i}`), 'results.json')).points.length);
    expect(sizes).toEqual([2, 2, 2]);

    const merged = await sweep(['merge', join(dir, 'shard-1'), join(dir, 'shard-2'), join(dir, 'shard-3'), '--out', join(dir, 'merged')]);
    expect(merged.exitCode, merged.all).toBe(0);
    expect(merged.stdout).toContain('micro: merged 3 folder(s), 6 of 6 points (4 ok)');
    for (const f of ['results.json', 'results.csv', 'report.html']) {
      expect(read(join(dir, 'merged'), f), f).toBe(read(join(dir, 'full'), f));
    }

    // A forgotten shard is reported, and the merge fails.
    const partial = await sweep(['merge', join(dir, 'shard-1'), join(dir, 'shard-3'), '--out', join(dir, 'partial')]);
    expect(partial.exitCode).toBe(1);
    expect(partial.stdout).toContain('shards not given: 2/3');
    expect(partial.stdout).toMatch(/missing points: p0002 p0005/);
    // Shards of another grid are refused.
    const other = writeGrid(dir, microGrid({ grid: { 'mapping.lanes': [1, 4] } }), 'other.json');
    expect((await sweep([other, '--shard', '1/2', '--out', join(dir, 'other-1'), '--cache-dir', join(dir, 'cache-shards'), '--progress', 'none'])).exitCode).toBe(0);
    const mixed = await sweep(['merge', join(dir, 'shard-1'), join(dir, 'other-1'), '--out', join(dir, 'mixed')]);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toMatch(/other-1: comes from a different sweep/);
  });

  it('writes an sbatch job array and a merge script for --emit slurm', async () => {
    const dir = tempDir();
    const grid = writeGrid(dir, microGrid());
    const out = join(dir, 'cluster');
    const r = await sweep([grid, '--emit', 'slurm', '--shards', '8', '--jobs', '4', '--time', '02:00:00', '--partition', 'cpu', '--out', out, '--no-lint']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain('micro: 4 points in 8 shards');
    expect(r.stdout).toContain('sbatch --dependency=afterok:$jobid');
    const array = read(out, 'sweep.sbatch');
    expect(array.startsWith('#!/bin/bash\n')).toBe(true);
    expect(array).toContain('#SBATCH --array=1-8\n');
    expect(array).toContain('#SBATCH --cpus-per-task=4\n');
    expect(array).toContain('#SBATCH --time=02:00:00\n');
    expect(array).toContain('#SBATCH --partition=cpu\n');
    expect(array).toContain(`#SBATCH --output=${out}/logs/shard-%a.out\n`);
    expect(array).toContain(`cd ${PROJECT_ROOT}\n`);
    expect(array).toContain(`${BIN} sweep ${grid} \\\n  --shard "\${SLURM_ARRAY_TASK_ID}/8" \\\n  --out ${out}/shard-"\${SLURM_ARRAY_TASK_ID}" \\\n  --jobs "\${SLURM_CPUS_PER_TASK:-4}" --no-lint --progress lines\n`);
    const merge = read(out, 'merge.sbatch');
    expect(merge).toContain(`${BIN} sweep merge --out ${out} \\\n  ${out}/shard-1 \\\n`);
    expect(merge).toContain(`  ${out}/shard-8\n`);
    expect(statSync(join(out, 'sweep.sbatch')).mode & 0o111).not.toBe(0);
    expect((await execa('bash', ['-n', join(out, 'sweep.sbatch')])).exitCode).toBe(0);
    expect((await execa('bash', ['-n', join(out, 'merge.sbatch')])).exitCode).toBe(0);
    // Nothing ran.
    expect(existsSync(join(out, 'results.json'))).toBe(false);
  });

  it('keeps finished points on Ctrl-C and resumes them on the next run', async () => {
    const dir = tempDir();
    // Lint on, fresh cache: each new RTL unit costs a Verilator run, so there is time to interrupt.
    const grid = writeGrid(dir, microGrid({ lint: true }));
    const out = join(dir, 'out');
    const args = [grid, '--out', out, '--cache-dir', join(dir, 'cache'), '--jobs', '1', '--progress', 'lines'];
    const child = execa(BIN, ['sweep', ...args], { reject: false, all: true });
    const journal = join(out, 'points.jsonl');
    for (let i = 0; i < 1200 && !(existsSync(journal) && read(out, 'points.jsonl').length > 0); i++) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    const first = await child;
    expect(first.exitCode, first.all).toBe(130);
    expect(first.stderr).toContain('interrupted');
    expect(first.stderr).toMatch(/point\(s\) left; run the same command again to resume/);
    const partial = JSON.parse(read(out, 'results.json'));
    const done = partial.points.length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done + partial.missing.length).toBe(4);
    expect(partial.missing.length).toBeGreaterThan(0);

    const second = await sweep(args);
    expect(second.exitCode, second.all).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`4 of 4 points: 4 ok, 0 invalid, 0 failed \\(computed ${4 - done}, from the cache 0, resumed ${done}\\)`));
    expect(JSON.parse(read(out, 'results.json')).missing).toEqual([]);
  });

  it('says how to install Yosys (or skip synthesis) when it is missing', async () => {
    const dir = tempDir();
    const grid = writeGrid(dir, microGrid({ synth: true }));
    const r = await sweep([grid, '--out', join(dir, 'out')], { SPARSEFORGE_YOSYS: join(dir, 'no-such-yosys') });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim()).toBe(
      `sparseforge: ${join(dir, 'no-such-yosys')} not found: install it with \`apt-get install -y yosys\` (or point SPARSEFORGE_YOSYS at it); or sweep without resource estimates: "synth": false in the grid, or --no-synth`,
    );
  });

  it('names the field of a bad grid file', async () => {
    const dir = tempDir();
    const grid = writeGrid(dir, microGrid({ grid: { 'buffers.coordDepht': [16] } }));
    const r = await sweep([grid]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/grid\.json: grid\["buffers\.coordDepht"\]: unknown spec field "buffers\.coordDepht" \(did you mean buffers\.coordDepth\?\)/);
  });
});
