// `sparseforge golden`: run the golden model on a case file and write the result file.
import type { Argv, CommandModule } from 'yargs';
import { runLayer } from '../../model/index.ts';
import { inFile } from '../../io/files.ts';
import { readLayerCaseFile } from '../../io/layer-case.ts';
import { writeLayerResultFile } from '../../io/layer-result.ts';

interface GoldenArgs {
  case: string;
  output: string;
}

export const goldenCommand: CommandModule<object, GoldenArgs> = {
  command: 'golden <case>',
  describe: 'Run the bit-exact golden model on a layer case and write the result file',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 golden CASE.json -o RESULT.json\n\n' +
          'Writes a sparseforge.layer-result/1 file: output coordinates in canonical order, accumulators\n' +
          '(after bias, wrapped to the accumulator width), requantized features when the case has requant,\n' +
          'and the number of accumulators that wrapped.',
      )
      .positional('case', { type: 'string', describe: 'layer-case file (sparseforge.layer-case/1)', normalize: true })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'result file to write', normalize: true })
      .example('$0 golden bunny.json -o bunny.result.json', 'compute the reference result of a case') as unknown as Argv<GoldenArgs>,
  handler: async (a) => {
    const c = await readLayerCaseFile(a.case);
    const { result } = inFile(a.case, () => runLayer(c));
    await writeLayerResultFile(a.output, result);
    const channels = c.layer.outChannels;
    process.stdout.write(
      `${a.output}: ${result.coords.length} points out (tensor stride ${result.tensorStride}), ${channels} channels, ` +
        `${result.features ? 'requantized features, ' : ''}${result.wraps} wraps\n`,
    );
  },
};
