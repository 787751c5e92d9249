// The per-execution output budget: stages share it in the order they finish, later ones keep a reserve.
import { describe, expect, it } from 'vitest';
import { OutputBudget } from './output-budget.js';

const bytes = (size: number, fill = 0x78) => Buffer.alloc(size, fill);

describe('when stages hand in more output than the budget', () => {
  it('should give the first what is left after the reserve of the others, and each later one its reserve', () => {
    const budget = new OutputBudget(20_000, 3);
    const first = budget.keep(bytes(50_000), bytes(0), 'utf8');
    expect(first.stdout).toMatchObject({ truncated: true, size: 20_000 - 2 * 4096 });
    const second = budget.keep(bytes(50_000), bytes(0), 'utf8');
    expect(second.stdout).toMatchObject({ truncated: true, size: 4096 });
    const third = budget.keep(bytes(100), bytes(0), 'utf8');
    expect(third.stdout).toMatchObject({ truncated: false, size: 100 });
    expect(budget.truncated).toBe(true);
  });

  it('should split the reserve evenly when the budget is small', () => {
    const budget = new OutputBudget(30, 3);
    expect(budget.keep(bytes(100), bytes(0), 'utf8').stdout.size).toBe(10);
    expect(budget.keep(bytes(100), bytes(0), 'utf8').stdout.size).toBe(10);
    expect(budget.keep(bytes(100), bytes(0), 'utf8').stdout.size).toBe(10);
  });

  it('should never hand out more than the budget in all', () => {
    const budget = new OutputBudget(100_000, 5);
    let total = 0;
    for (const size of [70_000, 1, 90_000, 20_000, 5_000]) {
      const kept = budget.keep(bytes(size), bytes(size / 2), 'utf8');
      total += kept.stdout.size + kept.stderr.size;
    }
    expect(total).toBeLessThanOrEqual(100_000);
  });
});

describe('when stdout floods and stderr has the error message', () => {
  it('should keep at least half of the room for stderr', () => {
    const kept = new OutputBudget(1_000, 1).keep(bytes(10_000), bytes(300, 0x65), 'utf8');
    expect(kept.stderr).toMatchObject({ truncated: false, size: 300 });
    expect(kept.stdout).toMatchObject({ truncated: true, size: 700 });
  });

  it('should give stdout what stderr leaves, and cut both when both flood', () => {
    const kept = new OutputBudget(1_000, 1).keep(bytes(10_000), bytes(10_000), 'utf8');
    expect(kept.stdout.size + kept.stderr.size).toBe(1_000);
    expect(kept.stderr.size).toBe(500);
  });
});

describe('when output is delivered as base64', () => {
  it('should count base64 characters, not raw bytes', () => {
    const kept = new OutputBudget(400, 1).keep(bytes(1_000), bytes(0), 'base64');
    expect(kept.stdout.size).toBeLessThanOrEqual(400);
    expect(kept.stdout.text).toHaveLength(kept.stdout.size);
    expect(Buffer.from(kept.stdout.text, 'base64')).toEqual(bytes(300));
  });
});

describe('when a stage was decoded already (the compile stage)', () => {
  it('should cut its texts to the same budget, counting UTF-8 bytes', () => {
    const budget = new OutputBudget(10, 1);
    const kept = budget.keepText('', 'ééééééééé', 'utf8');
    expect(kept.stderr).toEqual({ text: 'ééééé', truncated: true, size: 10 });
    expect(kept.stdout).toEqual({ text: '', truncated: false, size: 0 });
  });
});

describe('when nothing bounds the output', () => {
  it('should keep everything', () => {
    const kept = OutputBudget.unlimited().keep(bytes(1_000_000), bytes(10), 'utf8');
    expect(kept.stdout.truncated || kept.stderr.truncated).toBe(false);
  });
});
