// Reads what the JVM needs from Java sources: the package, the public top-level type and the class declaring main.

/** What one Java source declares at its top level. */
export interface JavaDeclarations {
  /** `com.example` for `package com.example;`, else null (the default package). */
  packageName: string | null;
  /** Name of the top-level type declared `public`, which javac insists the file is named after; null when none. */
  publicType: string | null;
  /** Top-level classes whose own body declares `static void main(`, in source order. */
  mainClasses: string[];
}

const TYPE_KEYWORDS = /\b(class|interface|enum|record)\s+([A-Za-z_$][\w$]*)/y;
const MAIN_METHOD = /\bstatic\b[^;{}()=]*\bvoid\s+main\s*\(/;

/**
 * Comments, string, text-block and char literals replaced by spaces (newlines kept), so braces and keywords inside them
 * are never mistaken for code. Unterminated literals blank out to the end, as javac would refuse the file anyway.
 */
export function blankCommentsAndLiterals(source: string): string {
  const out = source.split('');
  const blank = (from: number, to: number) => {
    for (let index = from; index < to && index < out.length; index += 1) if (out[index] !== '\n') out[index] = ' ';
  };
  let index = 0;
  while (index < source.length) {
    let end: number;
    if (source.startsWith('//', index)) {
      end = source.indexOf('\n', index);
      end = end === -1 ? source.length : end;
    } else if (source.startsWith('/*', index)) {
      end = source.indexOf('*/', index + 2);
      end = end === -1 ? source.length : end + 2;
    } else if (source.startsWith('"""', index)) {
      end = closingQuote(source, index + 3, '"""');
    } else if (source[index] === '"' || source[index] === "'") {
      end = closingQuote(source, index + 1, source[index]!);
    } else {
      index += 1;
      continue;
    }
    blank(index, end);
    index = end;
  }
  return out.join('');
}

/** Index just past the closing `quote`, skipping backslash escapes; the source's end when there is none. */
function closingQuote(source: string, from: number, quote: string): number {
  for (let index = from; index < source.length; index += 1) {
    if (source[index] === '\\') index += 1;
    else if (source.startsWith(quote, index)) return index + quote.length;
    else if (quote.length === 1 && source[index] === '\n') return index;
  }
  return source.length;
}

/** The package, public type and main classes a Java source declares at its top level. */
export function readJavaDeclarations(source: string): JavaDeclarations {
  const code = blankCommentsAndLiterals(source);
  const packageName = /^\s*(?:@[\w.]+\s*)*package\s+([\w$.\s]+?)\s*;/m.exec(code)?.[1]?.replace(/\s+/g, '') ?? null;
  let publicType: string | null = null;
  const mainClasses: string[] = [];
  let depth = 0;
  // Start of the current top-level statement: modifiers of a type declaration lie between it and the keyword.
  let statementStart = 0;
  for (let index = 0; index < code.length; index += 1) {
    const char = code[index]!;
    if (char === '{') depth += 1;
    else if (char === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) statementStart = index + 1;
    } else if (char === ';' && depth === 0) statementStart = index + 1;
    else if (depth === 0 && /[a-z]/.test(char) && (index === 0 || !/[\w$]/.test(code[index - 1]!))) {
      TYPE_KEYWORDS.lastIndex = index;
      const declaration = TYPE_KEYWORDS.exec(code);
      if (!declaration) continue;
      const [, keyword, name] = declaration as unknown as [string, string, string];
      const bodyStart = code.indexOf('{', TYPE_KEYWORDS.lastIndex);
      if (bodyStart === -1) break;
      if (/\bpublic\b/.test(code.slice(statementStart, index))) publicType ??= name;
      const bodyEnd = matchingBrace(code, bodyStart);
      if ((keyword === 'class' || keyword === 'enum' || keyword === 'record') && MAIN_METHOD.test(ownMembers(code, bodyStart, bodyEnd))) mainClasses.push(name);
      index = bodyEnd;
      statementStart = bodyEnd + 1;
    }
  }
  return { packageName, publicType, mainClasses };
}

/** Index of the brace closing the one at `open`, or the source's end. */
function matchingBrace(code: string, open: number): number {
  let depth = 0;
  for (let index = open; index < code.length; index += 1) {
    if (code[index] === '{') depth += 1;
    else if (code[index] === '}' && --depth === 0) return index;
  }
  return code.length;
}

/** The text of a type's body at its own level: nested bodies (methods, inner classes) blanked, so their `main` does not count. */
function ownMembers(code: string, open: number, close: number): string {
  let depth = 0;
  let members = '';
  for (let index = open; index <= close && index < code.length; index += 1) {
    const char = code[index]!;
    if (char === '{') depth += 1;
    if (depth === 1) members += char === '{' ? ' ' : char;
    if (char === '}') depth -= 1;
  }
  return members;
}
