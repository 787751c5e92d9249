// Which submitted file names clash with what a language's compile writes (its `compileOutputs` patterns).
import type { LanguageDefinition } from './language.js';

/**
 * The first submitted file whose name the compile writes itself, with the pattern it matches; null when none clashes.
 * `sources` are the submitted files of the language (what `{sourceStem}` patterns are expanded for).
 */
export function compileOutputClash(
  language: Pick<LanguageDefinition, 'compile' | 'compileOutputs'>,
  fileNames: readonly string[],
  sources: readonly string[],
): { name: string; pattern: string } | null {
  if (!language.compile) return null;
  for (const pattern of language.compileOutputs ?? []) {
    const reserved = expand(pattern, sources);
    const name = fileNames.find((file) => (typeof reserved === 'function' ? reserved(file) : reserved.has(file)));
    if (name !== undefined) return { name, pattern };
  }
  return null;
}

function expand(pattern: string, sources: readonly string[]): Set<string> | ((name: string) => boolean) {
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1);
    return (name) => name.endsWith(suffix);
  }
  if (pattern.startsWith('{sourceStem}')) {
    const suffix = pattern.slice('{sourceStem}'.length);
    return new Set(sources.map((source) => `${stem(source)}${suffix}`));
  }
  return new Set([pattern]);
}

function stem(path: string): string {
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  return dot > slash + 1 ? path.slice(0, dot) : path;
}
