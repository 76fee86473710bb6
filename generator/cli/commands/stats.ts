// `sparseforge stats`: workload figures of a layer case (points, kernel-map entries, MACs).
import type { Argv, CommandModule } from 'yargs';
import { kernelAxisOffsets, layerStats, type LayerCase, type LayerStats } from '../../model/index.ts';
import { inFile } from '../../io/files.ts';
import { readLayerCaseFile } from '../../io/layer-case.ts';

interface StatsArgs {
  case: string;
  json: boolean;
}

export const statsCommand: CommandModule<object, StatsArgs> = {
  command: 'stats <case>',
  describe: 'Show the workload of a layer case: points, kernel-map entries per offset, MACs',
  builder: (y: Argv<object>) =>
    y
      .usage('$0 stats CASE.json [--json]')
      .positional('case', { type: 'string', describe: 'layer-case file (sparseforge.layer-case/1)', normalize: true })
      .option('json', { type: 'boolean', default: false, describe: 'print the figures as one JSON object' })
      .example('$0 stats bunny.json', 'table of the kernel map')
      .example('$0 stats bunny.json --json', 'machine-readable figures') as unknown as Argv<StatsArgs>,
  handler: async (a) => {
    const c = await readLayerCaseFile(a.case);
    const s = inFile(a.case, () => layerStats(c));
    process.stdout.write(a.json ? `${statsJson(s)}\n` : formatStats(c, s));
  },
};

/** JSON with the per-offset counts kept on one line. */
export function statsJson(s: LayerStats): string {
  const lines = Object.entries(s).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
  return `{\n${lines.join(',\n')}\n}`;
}

/** The human-readable table. */
export function formatStats(c: LayerCase, s: LayerStats): string {
  const L = c.layer;
  const k = L.kernelSize;
  const offsetTs = L.type === 'transposed' ? s.outTensorStride : s.inTensorStride;
  const out = [
    `layer          ${L.type}, kernel ${k}, stride ${L.stride}, ${L.inChannels} → ${L.outChannels} channels`,
    `points         ${s.pointsIn} in (tensor stride ${s.inTensorStride}) → ${s.pointsOut} out (tensor stride ${s.outTensorStride})`,
    `kernel volume  ${s.kernelVolume}`,
    `map entries    ${s.mapEntries} (${s.avgNeighbours.toFixed(2)} per output point on average)`,
    `MACs           ${s.macs}`,
    '',
    `map entries per kernel offset (index [dx dy dz] in units of tensor stride ${offsetTs}: entries):`,
  ];
  const axis = kernelAxisOffsets(k);
  const ow = Math.max(...axis.map((d) => String(d).length));
  const iw = String(s.kernelVolume - 1).length;
  const cw = Math.max(1, ...s.mapEntriesPerOffset.map((n) => String(n).length));
  for (let iz = 0; iz < k; iz++) {
    for (let iy = 0; iy < k; iy++) {
      const cells: string[] = [];
      for (let ix = 0; ix < k; ix++) {
        const i = (iz * k + iy) * k + ix;
        const d = [axis[ix], axis[iy], axis[iz]].map((v) => String(v).padStart(ow)).join(' ');
        cells.push(`${String(i).padStart(iw)} [${d}] ${String(s.mapEntriesPerOffset[i]).padStart(cw)}`);
      }
      out.push(`  ${cells.join('   ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}
