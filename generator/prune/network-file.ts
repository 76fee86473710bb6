// Network files for pruning. The network file format (sparseforge.network/1) is parsed and written by
// generator/io/network*.ts; until that exists a network file is refused by name.
import { FieldError, type NmPattern } from '../model/index.ts';

export async function pruneNetworkFile(path: string, json: unknown, _p: NmPattern, _layers: string[] | undefined, _out: string): Promise<string> {
  const format = (json as { format?: unknown } | null)?.format;
  throw new FieldError(`${path}: format`, `expected "sparseforge.layer-case/1"${format === 'sparseforge.network/1' ? ' (network files are not readable yet)' : ''}, got ${JSON.stringify(format)}`);
}
