// Prints "N passed, N failed, N skipped" from a Vitest JSON report, the plain summary line CI reads.
import { existsSync, readFileSync } from 'node:fs';

const [path] = process.argv.slice(2);
if (!path || !existsSync(path)) {
  console.log('no test report was written (the run stopped before the tests)');
  process.exit(0);
}
const report = JSON.parse(readFileSync(path, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
