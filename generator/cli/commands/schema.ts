// `sparseforge schema`: the JSON Schema of accelerator spec files, or the parameter reference.
import type { Argv, CommandModule } from 'yargs';
import { compactJson, specJsonSchema, specMarkdown } from '../../dsl/docs.ts';

interface SchemaArgs {
  markdown: boolean;
}

export const schemaCommand: CommandModule<object, SchemaArgs> = {
  command: 'schema',
  describe: 'Print the JSON Schema of accelerator spec files (--markdown: the parameter reference)',
  builder: (y: Argv<object>) =>
    y
      .usage('$0 schema [--markdown]')
      .option('markdown', { type: 'boolean', default: false, describe: 'print the parameter tables in Markdown instead' })
      .example('$0 schema > accelerator.schema.json', 'for editor completion: "$schema": "./accelerator.schema.json"') as unknown as Argv<SchemaArgs>,
  handler: (a) => {
    process.stdout.write(a.markdown ? specMarkdown() : `${compactJson(specJsonSchema())}\n`);
  },
};
