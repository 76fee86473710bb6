// Verilator build of the mapping-engine harness (testbench/mapping/mapping_tb.cpp around
// <prefix>mapping_top), cached under .cache/verilator/mapping-<hash>/ by the hash of the RTL, the
// harness and the flags, so each configuration is compiled once and reused across stimulus files.
// (The co-simulation framework's generic build cache in generator/sim/ is not there yet; this is
// the small local equivalent. OBJCACHE=ccache makes a rebuild of known objects cheap.)
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { AcceleratorSpec } from '../../dsl/spec.ts';
import { PROJECT_ROOT, renderMappingRtl } from './rtl.ts';

export const MAPPING_TB = join(PROJECT_ROOT, 'testbench', 'mapping', 'mapping_tb.cpp');
const VERILATOR_FLAGS = ['--cc', '--exe', '--build', '-O2', '--x-assign', 'fast', '--x-initial', 'fast', '--prefix', 'Vtop', '-Wno-fatal'];
const CFLAGS = ['-O1', '-std=c++17'];

export interface MappingBuild {
  dir: string;
  binary: string;
  /** False when the binary came from the cache. */
  built: boolean;
}

function cacheRoot(): string {
  return process.env.SPARSEFORGE_CACHE ?? join(PROJECT_ROOT, '.cache');
}

export async function buildMappingSim(spec: AcceleratorSpec): Promise<MappingBuild> {
  const files = renderMappingRtl(spec);
  const tb = readFileSync(MAPPING_TB, 'utf8');
  const h = createHash('sha256');
  h.update(JSON.stringify(VERILATOR_FLAGS));
  h.update(JSON.stringify(CFLAGS));
  h.update(tb);
  for (const f of files) h.update(`${f.name}\n${f.text}`);
  const key = h.digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), 'verilator', `mapping-${spec.name}-${key}`);
  const binary = join(dir, 'obj', 'Vtb');
  if (existsSync(binary)) return { dir, binary, built: false };

  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(join(tmp, 'rtl'), { recursive: true });
  const paths = files.map((f) => {
    const p = join(tmp, 'rtl', f.name);
    writeFileSync(p, f.text);
    return p;
  });
  const top = files[files.length - 1]!.module;
  try {
    await execa(
      'verilator',
      [...VERILATOR_FLAGS, '--top-module', top, '-Mdir', join(tmp, 'obj'), '-o', 'Vtb', '-j', '2', '-CFLAGS', CFLAGS.join(' '), MAPPING_TB, ...paths],
      { env: { OBJCACHE: process.env.OBJCACHE ?? 'ccache' }, all: true },
    );
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    const out = (e as { all?: string }).all ?? String(e);
    throw new Error(`verilator build of ${top} failed:\n${out.split('\n').slice(-40).join('\n')}`);
  }
  try {
    renameSync(tmp, dir);
  } catch {
    // Another process finished the same build first: use its result.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { dir, binary, built: true };
}
