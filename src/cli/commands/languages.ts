// `runlane languages`: the catalogue with the toolchain versions detected on this machine.
import { CATALOGUE } from '../../languages/catalogue.js';
import { detectLanguages } from '../../languages/detect.js';
import type { LanguageStatus } from '../../languages/language.js';
import type { CliCommand } from '../cli-context.js';

/** One aligned line per language: id, name, version or "not installed" with the reason. */
export function formatLanguages(languages: readonly LanguageStatus[]): string {
  const idWidth = Math.max(...languages.map((language) => language.id.length));
  const nameWidth = Math.max(...languages.map((language) => language.displayName.length));
  return languages
    .map((language) => {
      const state = language.installed ? language.version! : `not installed (${language.unavailableReason ?? 'unknown reason'})`;
      return `${language.id.padEnd(idWidth)}  ${language.displayName.padEnd(nameWidth)}  ${state}`;
    })
    .join('\n');
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
