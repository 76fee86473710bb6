// `sparseforge sim-map`: co-simulate the mapping engine (Verilator, <prefix>mapping_top) on a
// layer case and compare every map entry and downsampled coordinate with the golden model.
import type { Argv, CommandModule } from 'yargs';
import { resolveSpec } from '../../dsl/load.ts';
import { inFile } from '../../io/files.ts';
import { readLayerCaseFile } from '../../io/layer-case.ts';
import { buildMappingSim } from '../../sim/mapping/build.ts';
import { CosimMismatchError } from '../../sim/compare.ts';
import { cosimMapping, goldenMapping, jobFromCase } from '../../sim/mapping/driver.ts';
import { runMappingCase } from '../../sim/mapping/host.ts';
import { FieldError } from '../../model/errors.ts';
import { specOptions, type SpecArgs } from './generate.ts';
import { inFileAsync } from './sim.ts';

interface SimMapArgs extends SpecArgs {
  case: string;
  json: boolean;
  seed: number;
  stall: number;
  tilePoints?: number;
}

export const simMapCommand: CommandModule<object, SimMapArgs> = {
  command: 'sim-map <case>',
  describe: 'Co-simulate the mapping engine (kernel map, downsampling) on a layer case against the golden model',
  builder: (y: Argv<object>) =>
    specOptions(y)
      .usage(
        '$0 sim-map CASE.json (--preset P | --config FILE) [--json]\n\n' +
          'Builds <name>_mapping_top with Verilator (cached in .cache/verilator), streams the case\'s\n' +
          'coordinates in canonical order, and prints the map entries per kernel offset, the output point\n' +
          'count, the mapping cycles and whether every entry and output coordinate matched the golden model.\n' +
          'A cloud larger than buffers.coordDepth is cut into the tiles `sim` cuts: every tile is checked\n' +
          'against the golden map of the tile and the merged cores against the golden map of the whole cloud;\n' +
          'coordinates outside mapping.coordWidth are re-based per batch (docs/accelerator.md). Exit status 2 on a\n' +
          'case the engine cannot run (naming the capacity, e.g. buffers.coordDepth), before anything is built.\n' +
          'Exit status 1 on a mismatch or an engine error. On a mismatch the run is repeated with an FST\n' +
          'waveform and the co-simulation report (case, seed, cycle, coordinate, expected, actual, waveform)\n' +
          'goes to stderr.',
      )
      .positional('case', { type: 'string', describe: 'layer-case file (sparseforge.layer-case/1)', normalize: true })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON document' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the random stalls' })
      .option('stall', { type: 'number', default: 0, describe: 'per-mille chance of a stall on each stream (0: full speed)' })
      .option('tile-points', { type: 'number', describe: 'at most this many input points per tile (forces tiling)' })
      .example('$0 sim-map bunny.json --preset fpga', 'entries per offset, cycles, match') as unknown as Argv<SimMapArgs>,
  handler: async (a) => {
    const spec = await resolveSpec(a);
    const c = await readLayerCaseFile(a.case);
    const job = inFile(a.case, () => jobFromCase(c));
    const golden = inFile(a.case, () => goldenMapping(job));
    const stall = Math.max(0, Math.min(1000, Math.round(a.stall)));
    const binary = async () => (await buildMappingSim(spec)).binary;
    if (a.tilePoints !== undefined && !(Number.isInteger(a.tilePoints) && a.tilePoints >= 1)) {
      throw new FieldError('--tile-points', `must be a positive integer, got ${a.tilePoints}`);
    }
    const r = await inFileAsync(a.case, () => runMappingCase(spec, binary, job, { seed: a.seed, stallIn: stall, stallOut: stall, golden, maxTilePoints: a.tilePoints }));
    const cmp = { ok: r.ok, mismatches: r.mismatches };
    const entries = r.entriesPerOffset;
    const cycles = {
      total: r.counters.PERF_TOTAL_CYCLES,
      mapping: r.counters.PERF_MAPPING_CYCLES,
      downsample: r.counters.MAP_DS_CYCLES,
      merge: r.counters.MAP_MERGE_CYCLES,
      load: r.counters.MAP_LOAD_CYCLES,
    };
    const L = job.layer;
    const lanes = spec.mapping.lanes;
    const cmpPerCycle = r.counters.MAP_LANE_BUSY ? r.counters.MAP_COMPARISONS / r.counters.MAP_LANE_BUSY : 0;
    if (a.json) {
      const doc = {
        case: a.case,
        spec: spec.name,
        lanes,
        layer: L,
        inputPoints: job.inCoords.length,
        outputPoints: r.outPoints,
        tiles: r.tiles.length,
        entriesPerOffset: entries,
        totalEntries: entries.reduce((s, v) => s + v, 0),
        cycles,
        comparisons: r.counters.MAP_COMPARISONS,
        laneBusyCycles: r.counters.MAP_LANE_BUSY,
        error: r.engineError ? r.engineError.name : null,
        match: cmp.ok,
        mismatches: cmp.mismatches,
      };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    } else {
      const out: string[] = [];
      out.push(`${a.case}: ${L.type} k=${L.kernelSize} s=${L.stride} ts=${L.inTensorStride} on ${spec.name} (${lanes} lane${lanes > 1 ? 's' : ''})`);
      if (r.tiles.length > 1) out.push(`${r.tiles.length} tiles (boxes of at most buffers.coordDepth = ${spec.buffers.coordDepth} points with their halos), merged`);
      if (r.engineError) out.push(`engine error: ${r.engineError.name} (code ${r.engineError.code})${r.tiles.length > 1 ? ` in tile ${r.engineError.tile + 1}` : ''}`);
      const kind = L.type === 'conv' ? 'downsampled' : L.type === 'transposed' ? 'given' : 'same as input';
      out.push(`input points ${job.inCoords.length}, output points ${r.outPoints} (${kind})`);
      out.push('map entries per kernel offset (index: count):');
      for (let i = 0; i < entries.length; i += 9) {
        out.push(`  ${entries.slice(i, i + 9).map((n, j) => `${String(i + j).padStart(3)}: ${String(n).padStart(6)}`).join('  ')}`);
      }
      out.push(`total entries ${entries.reduce((s, v) => s + v, 0)}`);
      out.push(
        `mapping cycles ${cycles.mapping} (downsample ${cycles.downsample}, merge ${cycles.merge}); load ${cycles.load}; total ${cycles.total}; ` +
          `${(cycles.mapping / Math.max(1, job.inCoords.length)).toFixed(2)} cycles/input point`,
      );
      out.push(`merge: ${r.counters.MAP_COMPARISONS} comparisons, ${cmpPerCycle.toFixed(3)} per busy lane-cycle`);
      out.push(cmp.ok ? 'RTL matches the golden model: every entry and output coordinate' : `RTL MISMATCH:\n  ${cmp.mismatches.join('\n  ')}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }
    const bad = r.tiles.find((t) => !t.cmp.ok);
    if (!cmp.ok && !r.engineError && bad) {
      // An RTL mismatch (not a refused run): the framework's report and waveform, on stderr.
      try {
        await cosimMapping(spec, bad.job, { seed: a.seed, stallIn: stall, stallOut: stall, ...(r.tiles.length === 1 ? { golden } : {}) });
      } catch (e) {
        if (!(e instanceof CosimMismatchError)) throw e;
      }
    }
    if (!cmp.ok) process.exitCode = 1;
  },
};
