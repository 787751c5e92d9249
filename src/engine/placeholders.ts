// Expands the placeholders of a catalogue command into a real argv.

/** Values the placeholders of a catalogue command stand for. */
export interface PlaceholderValues {
  /** Entry file, e.g. `main.py` or `src/Main.java`. */
  entry: string;
  /** Submitted files with one of the language's extensions, in submission order. */
  sources: string[];
  /** Memory limit of the stage, MiB. */
  memoryMb: number;
  /** The class to start (`com.example.Main`), when the language detects one; `{mainClass}` is the entry stem without it. */
  mainClass?: string | null;
}

/** Entry without its extension: `src/Main.java` → `src/Main`, `main` → `main`. */
export function entryStem(entry: string): string {
  const slash = entry.lastIndexOf('/');
  const dot = entry.lastIndexOf('.');
  return dot > slash + 1 ? entry.slice(0, dot) : entry;
}

/**
 * Replaces `{entry}`, `{entryStem}`, `{mainClass}` and `{memoryMb}` inside arguments, and turns a whole `{sources}` argument into one
 * argument per source. Values go into argv directly, never through a shell, so file names cannot inject commands.
 * Throws on an unknown placeholder: that is a catalogue bug, caught by the catalogue's tests.
 */
export function expandCommand(template: readonly string[], values: PlaceholderValues): string[] {
  const argv: string[] = [];
  for (const arg of template) {
    if (arg === '{sources}') {
      argv.push(...values.sources);
      continue;
    }
    argv.push(
      arg.replace(/\{([^}]*)\}/g, (whole, name: string) => {
        switch (name) {
          case 'entry':
            return values.entry;
          case 'entryStem':
            return entryStem(values.entry);
          case 'memoryMb':
            return String(values.memoryMb);
          case 'mainClass':
            return values.mainClass ?? entryStem(values.entry);
          default:
            throw new Error(`unknown placeholder ${whole} in command ${JSON.stringify(template)}`);
        }
      }),
    );
  }
  return argv;
}
