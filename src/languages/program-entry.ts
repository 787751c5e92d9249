// Finds where a program starts, for languages whose runtime starts a named class rather than a file (Java).
import type { SourceFile } from '../domain/submission.js';
import { readJavaDeclarations } from './java-source.js';
import type { LanguageDefinition } from './language.js';

/** The files as the compile should see them, the entry file, and the class to start (null when not detected or not used). */
export interface ProgramEntry {
  files: SourceFile[];
  entry: string;
  mainClass: string | null;
  /** Why the program cannot be started, when detection found no way to: a compilation error the client can fix. */
  problem: string | null;
}

/**
 * The program's entry. Without `entryDetection` the files and entry are returned as they came. With `java-main-class`:
 * a file whose public class has another name is renamed after it (javac requires it; bare `source` is always `Main.java`),
 * and the class to start is the entry file's class declaring `static void main`, else the first such class in any file.
 */
export function resolveProgramEntry(language: LanguageDefinition, files: readonly SourceFile[], entry: string): ProgramEntry {
  if (language.entryDetection !== 'java-main-class') return { files: [...files], entry, mainClass: null, problem: null };
  const isSource = (name: string) => language.extensions.some((extension) => name.toLowerCase().endsWith(extension));
  const taken = new Set(files.map((file) => file.name));
  let renamedEntry = entry;
  const candidates: { file: string; mainClass: string }[] = [];
  const renamed = files.map((file) => {
    if (!isSource(file.name)) return file;
    const declared = readJavaDeclarations(file.content);
    const folder = file.name.slice(0, file.name.lastIndexOf('/') + 1);
    let name = file.name;
    const wanted = declared.publicType === null ? null : `${folder}${declared.publicType}${extensionOf(file.name)}`;
    if (wanted !== null && wanted !== file.name && !taken.has(wanted)) {
      taken.add(wanted);
      name = wanted;
      if (file.name === entry) renamedEntry = wanted;
    }
    const prefix = declared.packageName ? `${declared.packageName}.` : '';
    for (const mainClass of declared.mainClasses) candidates.push({ file: name, mainClass: `${prefix}${mainClass}` });
    return name === file.name ? file : { ...file, name };
  });
  const chosen = candidates.find((candidate) => candidate.file === renamedEntry && simpleName(candidate.mainClass) === stemOf(renamedEntry)) ??
    candidates.find((candidate) => candidate.file === renamedEntry) ??
    candidates[0];
  const problem = chosen
    ? null
    : 'no class declares a main method: add `public static void main(String[] args)` to the class that should start the program';
  return { files: renamed, entry: chosen?.file ?? renamedEntry, mainClass: chosen?.mainClass ?? null, problem };
}

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > name.lastIndexOf('/') ? name.slice(dot) : '';
}

/** `com.example.Main` → `Main`. */
function simpleName(qualified: string): string {
  return qualified.slice(qualified.lastIndexOf('.') + 1);
}

/** `src/Main.java` → `Main`. */
function stemOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}
