// Minimal Node.js declarations for TypeScript programs: Debian ships no @types/node.

/**
 * Declared loosely (`any`) on purpose: enough for judge-style programs (read stdin, print, use core modules)
 * without pretending to be the full Node.js API.
 */
export const NODE_GLOBALS_DECLARATIONS = `// Minimal Node.js globals for programs compiled without @types/node.
declare var require: (id: string) => any;
declare var module: any;
declare var exports: any;
declare var process: any;
declare var Buffer: any;
declare var __dirname: string;
declare var __filename: string;
declare var global: any;
declare var console: {
  log(...data: any[]): void;
  error(...data: any[]): void;
  warn(...data: any[]): void;
  info(...data: any[]): void;
  debug(...data: any[]): void;
  table(...data: any[]): void;
  dir(...data: any[]): void;
};
declare function setTimeout(callback: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearTimeout(handle: any): void;
declare function setInterval(callback: (...args: any[]) => void, ms?: number, ...args: any[]): any;
declare function clearInterval(handle: any): void;
declare function setImmediate(callback: (...args: any[]) => void, ...args: any[]): any;
declare function queueMicrotask(callback: () => void): void;
declare class TextEncoder { encode(input?: string): Uint8Array; }
declare class TextDecoder { constructor(label?: string, options?: any); decode(input?: any, options?: any): string; }
declare module 'fs' { const fs: any; export = fs; }
declare module 'readline' { const readline: any; export = readline; }
declare module 'os' { const os: any; export = os; }
declare module 'path' { const path: any; export = path; }
declare module 'util' { const util: any; export = util; }
declare module 'events' { const events: any; export = events; }
declare module 'crypto' { const crypto: any; export = crypto; }
declare module 'assert' { const assert: any; export = assert; }
declare module 'worker_threads' { const workerThreads: any; export = workerThreads; }
declare module 'child_process' { const childProcess: any; export = childProcess; }
declare module 'node:fs' { const fs: any; export = fs; }
declare module 'node:readline' { const readline: any; export = readline; }
declare module 'node:os' { const os: any; export = os; }
declare module 'node:path' { const path: any; export = path; }
declare module 'node:util' { const util: any; export = util; }
declare module 'node:events' { const events: any; export = events; }
declare module 'node:crypto' { const crypto: any; export = crypto; }
declare module 'node:assert' { const assert: any; export = assert; }
declare module 'node:worker_threads' { const workerThreads: any; export = workerThreads; }
declare module 'node:child_process' { const childProcess: any; export = childProcess; }
`;
