// `sparseforge prune` on a network file (sparseforge.network/1): prune the chosen conv nodes and
// write the network back, one line per pruned node.
import { FieldError, nmName, type NmPattern } from '../model/index.ts';
import { inFile } from '../io/files.ts';
import { NETWORK_FORMAT, parseNetwork, writeNetworkFile } from '../io/network.ts';
import { pruneNetwork, type PruneCount } from './prune.ts';

export async function pruneNetworkFile(path: string, json: unknown, p: NmPattern, layers: string[] | undefined, out: string, describe: (c: PruneCount) => string): Promise<string> {
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== NETWORK_FORMAT) {
    throw new FieldError(`${path}: format`, `expected "sparseforge.layer-case/1" or "${NETWORK_FORMAT}", got ${JSON.stringify(format)}`);
  }
  const net = inFile(path, () => parseNetwork(json));
  const r = pruneNetwork(net, p, layers);
  await writeNetworkFile(out, r.network);
  const total = r.layers.reduce((a, l) => ({ zeroed: a.zeroed + l.count.zeroed, nonZerosBefore: a.nonZerosBefore + l.count.nonZerosBefore, total: a.total + l.count.total }), { zeroed: 0, nonZerosBefore: 0, total: 0 });
  const w = Math.max(...r.layers.map((l) => l.node.length), 4);
  const lines = r.layers.map((l) => `  ${l.node.padEnd(w)}  ${describe(l.count)}`);
  return `${lines.join('\n')}\n${out}: ${nmName(p)} network ${net.name}, ${r.layers.length} conv node${r.layers.length === 1 ? '' : 's'} pruned, ${describe(total)}\n`;
}
