// Network, tensor and network-result files (DESIGN.md §6): round trips and strict, node-named
// validation with the value ranges of layer cases.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runNetwork } from '../../generator/model/index.ts';
import { parseNetwork, readNetworkFile, serializeNetwork, writeNetworkFile } from '../../generator/io/network.ts';
import { parseTensor, readTensorFile, serializeTensor, writeTensorFile } from '../../generator/io/tensor.ts';
import {
  compareNetworkResults, parseNetworkResult, readNetworkResultFile, serializeNetworkResult, writeNetworkResultFile,
} from '../../generator/io/network-result.ts';
import { clone, tinyInput, tinyUNet } from '../network/nets.ts';
import { randomNetwork } from '../network/random-network.ts';
import { tempDir, type Json } from './cases.ts';

const t = tempDir('sparseforge-net-io-');
afterAll(t.cleanup);

const doc = (): Json => ({ format: 'sparseforge.network/1', ...clone(tinyUNet()) });
function error(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}
const bad = (mutate: (d: Json) => void) => {
  const d = doc();
  mutate(d);
  return error(() => parseNetwork(d));
};

describe('sparseforge.network/1', () => {
  it('round-trips through text and files, and the golden model runs what was read', async () => {
    const net = tinyUNet();
    expect(parseNetwork(JSON.parse(serializeNetwork(net)))).toEqual(net);
    expect(parseNetwork(doc())).toEqual(net);
    const path = join(t.dir, 'net.json');
    await writeNetworkFile(path, net);
    const back = await readNetworkFile(path);
    expect(back).toEqual(net);
    expect(runNetwork(back, tinyInput()).result).toEqual(runNetwork(net, tinyInput()).result);
  });

  it('round-trips 100 random networks with every node kind (wide datapaths included)', () => {
    for (let seed = 1; seed <= 100; seed++) {
      const { net, input, widths } = randomNetwork(seed);
      expect(parseNetwork(JSON.parse(serializeNetwork(net)), widths), `seed ${seed}`).toEqual(net);
      expect(parseTensor(JSON.parse(serializeTensor(input)), { widths })).toEqual(input);
    }
  });

  it('rejects bad documents with the node and the field, using the layer-case ranges', () => {
    expect(bad((d) => { d.nodes[1].weights[7][2][0] = 300; })).toBe('nodes[1] "down": weights[7][2][0]: 300 is out of range [-128, 127]');
    expect(bad((d) => { d.nodes[4].weights[3].pop(); }))
      .toBe('nodes[4] "branch": weights[3]: expected 8 entries (the input node\'s channels), got 7');
    expect(bad((d) => { d.nodes[0].bias[2] = 2 ** 31; })).toBe('nodes[0] "stem": bias[2]: 2147483648 is out of range [-2^31, 2^31 - 1]');
    expect(bad((d) => { d.nodes[0].requant.multiplier[0] = -1; })).toBe('nodes[0] "stem": requant.multiplier[0]: -1 is out of range [0, 2^31 - 1]');
    expect(bad((d) => { d.nodes[5].add.shift[7] = 64; })).toBe('nodes[5] "res": add.shift[7]: 64 is out of range [0, 63]');
    expect(bad((d) => { d.nodes[5].add.relu = 1; })).toBe('nodes[5] "res": add.relu: expected true or false, got number 1');
    expect(bad((d) => { d.nodes[3].weights = []; })).toBe('nodes[3] "cat": weights: unknown field');
    expect(bad((d) => { delete d.nodes[2].weights; })).toBe('nodes[2] "up": weights: missing');
    expect(bad((d) => { d.nodes[2].layer.inChannels = 4; })).toBe('nodes[2] "up": layer.inChannels: unknown field');
    expect(bad((d) => { d.nodes[2].layer.type = 'deconv'; })).toBe('nodes[2] "up": layer.type: expected one of submanifold, conv, transposed, got the string "deconv"');
    expect(bad((d) => { d.nodes[1].layer.stride = 3; })).toBe('nodes[1] "down": layer.stride: 3 is not a power of two (tensor strides are powers of two)');
    expect(bad((d) => { d.nodes[6].op = 'linear'; })).toBe('nodes[6] "head": op: expected one of conv, add, concat, got the string "linear"');
    expect(bad((d) => { d.nodes[6].name = 7; })).toBe('nodes[6]: name: expected a non-empty string, got number 7');
    expect(bad((d) => { d.nodes[6] = [1]; })).toBe('nodes[6]: expected an object, got an array');
    expect(bad((d) => { d.nodes[3].inputs = ['up', 3]; })).toBe('nodes[3] "cat": inputs[1]: expected a node name, got number 3');
    expect(bad((d) => { d.nodes[3].inputs = ['up', 'ghost']; })).toBe('nodes[3] "cat": inputs[1]: no node named "ghost"');
    expect(bad((d) => { d.extra = 1; })).toBe('extra: unknown field');
    expect(bad((d) => { d.format = 'sparseforge.network/2'; })).toBe('format: expected "sparseforge.network/1", got the string "sparseforge.network/2"');
    expect(bad((d) => { d.inputChannels = 0; })).toBe('inputChannels: 0 is out of range [1, 2^16]');
    expect(bad((d) => { d.outputs = ['head', 5]; })).toBe('outputs[1]: expected a node name, got number 5');
    expect(bad((d) => { delete d.nodes[4].requant; })).toMatch(/^nodes\[4\] "branch": requant: missing, but the node feeds "res"/);
  });

  it('reads weights against the accelerator widths', () => {
    const d = doc();
    d.nodes[1].weights[0][0][0] = 9;
    expect(error(() => parseNetwork(d, { inWidth: 8, weightWidth: 4, accWidth: 32, outWidth: 8 })))
      .toBe('nodes[1] "down": weights[0][0][0]: 9 is out of range [-8, 7]');
  });
});

describe('sparseforge.tensor/1', () => {
  it('round-trips; coordinates in any order; strict checks', async () => {
    const x = tinyInput();
    expect(parseTensor(JSON.parse(serializeTensor(x)))).toEqual(x);
    const path = join(t.dir, 'x.json');
    await writeTensorFile(path, x);
    expect(await readTensorFile(path, { channels: 2 })).toEqual(x);
    const d = (): Json => ({ format: 'sparseforge.tensor/1', ...clone(x) });
    const e = (m: (j: Json) => void, opts = {}) => { const j = d(); m(j); return error(() => parseTensor(j, opts)); };
    expect(e((j) => { j.features[3][1] = 128; })).toBe('features[3][1]: 128 is out of range [-128, 127]');
    expect(e((j) => { j.features[3].push(1); })).toBe('features[3]: expected 2 entries (the channel count of features[0]), got 3');
    expect(e(() => {}, { channels: 4, channelsWhat: 'the network\'s inputChannels' }))
      .toBe('features[0]: expected 4 entries (the network\'s inputChannels), got 2');
    expect(e((j) => { j.coords[5] = j.coords[1]; })).toBe('coords[5]: duplicate coordinate [0, 0, 0, 0], same as coords[1]');
    expect(e((j) => { j.tensorStride = 2; })).toBe('coords[0]: x = 1 is not a multiple of the tensor stride 2');
    expect(e((j) => { j.tensorStride = 3; })).toBe('tensorStride: 3 is not a power of two');
    expect(e((j) => { j.features.pop(); })).toBe('features: expected 12 entries (one row per coordinate), got 11');
    expect(e((j) => { j.batch = 0; })).toBe('batch: unknown field');
    await expect(readTensorFile(join(t.dir, 'none.json'))).rejects.toThrow(`${join(t.dir, 'none.json')}: no such file`);
  });
});

describe('sparseforge.network-result/1', () => {
  it('round-trips features and raw accumulators; compares node by node', async () => {
    const run = runNetwork(tinyUNet(), tinyInput(), { all: true });
    const r = run.result;
    expect(parseNetworkResult(JSON.parse(serializeNetworkResult(r)))).toEqual(r);
    const path = join(t.dir, 'r.json');
    await writeNetworkResultFile(path, r);
    expect(await readNetworkResultFile(path)).toEqual(r);
    expect(compareNetworkResults(r, r)).toEqual([]);
    const other = clone(r);
    other.nodes.res.features![4][6] += 1;
    delete other.nodes.head;
    const diff = compareNetworkResults(r, other);
    expect(diff.map((d) => d.node)).toEqual(['res', 'head']);
    expect(diff[0].comparison.mismatches[0]).toMatchObject({ field: 'features', point: 4, channel: 6, coord: r.nodes.res.coords[4] });
  });

  it('rejects bad results naming the node', () => {
    const r = JSON.parse(serializeNetworkResult(runNetwork(tinyUNet(), tinyInput(), { all: true }).result));
    const e = (m: (j: Json) => void) => { const j = clone(r); m(j); return error(() => parseNetworkResult(j)); };
    expect(e((j) => { j.nodes.head.features = j.nodes.head.accumulators; }))
      .toBe('nodes.head: expected exactly one of features (requantized) or accumulators (raw conv output)');
    expect(e((j) => { j.nodes.stem.features[0][0] = 200; })).toBe('nodes.stem.features[0][0]: 200 is out of range [-128, 127]');
    expect(e((j) => { j.nodes.down.coords.reverse(); })).toMatch(/^nodes\.down\.coords\[1\]: not in canonical \(b, x, y, z\) order/);
    expect(e((j) => { j.nodes['enc1.a'] = clone(j.nodes.down); j.nodes['enc1.a'].tensorStride = 8; }))
      .toMatch(/^nodes\["enc1\.a"\]\.coords\[\d+\]: x = -?\d+ is not a multiple of the tensor stride 8$/);
    expect(e((j) => { j.nodes.cat.wraps = 0; })).toBe('nodes.cat.wraps: unknown field');
  });
});
