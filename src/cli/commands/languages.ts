// `runlane languages`: the catalogue with the toolchain versions detected on this machine.
import { CATALOGUE } from '../../languages/catalogue.js';
import { detectLanguages } from '../../languages/detect.js';
import type { LanguageStatus } from '../../languages/language.js';
import type { CliCommand } from '../cli-context.js';

const HEADER = { id: 'ID', name: 'NAME', aliases: 'ALIASES', state: 'VERSION' };

/** A header row, then one aligned line per language: id, name, aliases, version or "not installed" with the reason. */
export function formatLanguages(languages: readonly LanguageStatus[]): string {
  const rows = languages.map((language) => ({
    id: language.id,
    name: language.displayName,
    aliases: language.aliases.length > 0 ? language.aliases.join(', ') : '-',
    state: language.installed ? language.version! : `not installed (${language.unavailableReason ?? 'unknown reason'})`,
  }));
  const all = [HEADER, ...rows];
  const width = (column: 'id' | 'name' | 'aliases') => Math.max(...all.map((row) => row[column].length));
  const [idWidth, nameWidth, aliasesWidth] = [width('id'), width('name'), width('aliases')];
  return all.map((row) => `${row.id.padEnd(idWidth)}  ${row.name.padEnd(nameWidth)}  ${row.aliases.padEnd(aliasesWidth)}  ${row.state}`).join('\n');
}

export const languagesCommand: CliCommand = {
  name: 'languages',
  register(program, context) {
    program
      .command('languages')
      .description('List the supported languages with the version installed here, or "not installed"')
      .option('--json', 'print the full catalogue entries with their detected status as JSON')
      .action(async (options: { json?: boolean }) => {
        const languages = await detectLanguages(CATALOGUE);
        if (options.json) context.stdout.write(`${JSON.stringify(languages, null, 2)}\n`);
        else context.stdout.write(`${formatLanguages(languages)}\n`);
      });
  },
};
