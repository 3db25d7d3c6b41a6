import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DurableSchedule, SandboxState } from '../../../local/sandboxes/kit';

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sandbox-state-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A part holding one map, as the sandboxes' stores do. */
const mapPart = (map: Map<string, number>) => ({
  snapshot: () => [...map.entries()],
  restore: (entries: [string, number][]) => {
    map.clear();
    for (const [k, v] of entries) map.set(k, v);
  },
});

describe('SandboxState', () => {
  it('writes every change and gives it back to a new state on the same folder', () => {
    const dir = freshDir();
    const first = new Map<string, number>();
    const state = new SandboxState(dir).add('things', mapPart(first));
    expect(state.load()).toBe(false);
    first.set('a', 1);
    state.save();

    const second = new Map<string, number>();
    expect(new SandboxState(dir).add('things', mapPart(second)).load()).toBe(true);
    expect([...second]).toEqual([['a', 1]]);
  });

  it('leaves the last whole state when a write was cut before its rename (kill -9 mid-write)', () => {
    const dir = freshDir();
    const map = new Map([['kept', 1]]);
    const state = new SandboxState(dir).add('things', mapPart(map));
    state.load();
    state.save();
    // What a kill between writing the temporary file and renaming it leaves behind.
    writeFileSync(join(dir, 'state.json.tmp-99999-1'), '{"format":1,"parts":{"things":[["ha');

    const restored = new Map<string, number>();
    new SandboxState(dir).add('things', mapPart(restored)).load();
    expect([...restored]).toEqual([['kept', 1]]);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp-'))).toEqual([]);
  });

  it('writes nothing before it has read the folder, so an early change cannot wipe the saved state', () => {
    const dir = freshDir();
    const saved = new SandboxState(dir).add('things', mapPart(new Map([['kept', 1]])));
    saved.load();
    saved.save();
    const early = new SandboxState(dir).add('things', mapPart(new Map()));
    early.save();
    const restored = new Map<string, number>();
    new SandboxState(dir).add('things', mapPart(restored)).load();
    expect([...restored]).toEqual([['kept', 1]]);
  });

  it('writes nothing without a folder', () => {
    const state = new SandboxState(undefined).add('things', mapPart(new Map([['a', 1]])));
    state.save();
    state.putBlob('doc', Buffer.from('x'));
    expect(state.durable).toBe(false);
    expect(state.load()).toBe(false);
    expect(state.getBlob('doc')).toBeUndefined();
  });

  it('keeps bytes as blobs beside the snapshot, not in it', () => {
    const dir = freshDir();
    const state = new SandboxState(dir).add('things', mapPart(new Map()));
    state.load();
    state.putBlob('doc-1', Buffer.from('%PDF-1.4'));
    state.save();
    expect(new SandboxState(dir).getBlob('doc-1')?.toString()).toBe('%PDF-1.4');
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).not.toContain('PDF');
    expect(() => state.putBlob('../escape', Buffer.from('x'))).toThrow('invalid blob name');
  });

  it('writes nothing more once closed', () => {
    const dir = freshDir();
    const map = new Map<string, number>();
    const state = new SandboxState(dir).add('things', mapPart(map));
    state.load();
    map.set('before', 1);
    state.close();
    map.clear();
    state.save();
    const restored = new Map<string, number>();
    new SandboxState(dir).add('things', mapPart(restored)).load();
    expect([...restored]).toEqual([['before', 1]]);
    expect(existsSync(join(dir, 'state.json'))).toBe(true);
  });
});

describe('DurableSchedule', () => {
  it('runs a restored task when it was due, at once when that time has passed', async () => {
    const ran: string[] = [];
    const schedule = new DurableSchedule().on<{ id: string }>('decide', ({ id }) => ran.push(id));
    schedule.restore([
      { kind: 'decide', args: { id: 'overdue' }, dueAt: Date.now() - 60_000 },
      { kind: 'decide', args: { id: 'later' }, dueAt: Date.now() + 80 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ran).toEqual(['overdue']);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(ran).toEqual(['overdue', 'later']);
    expect(schedule.size()).toBe(0);
  });

  it('holds restored tasks until resumed, and keeps them in its snapshot meanwhile', async () => {
    const ran: string[] = [];
    const schedule = new DurableSchedule().on<{ id: string }>('decide', ({ id }) => ran.push(id));
    schedule.hold();
    schedule.restore([{ kind: 'decide', args: { id: 'a' }, dueAt: Date.now() - 1 }]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toEqual([]);
    expect(schedule.snapshot()).toHaveLength(1);
    schedule.resume();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(ran).toEqual(['a']);
  });

  it('tells its owner of every change, so the state is saved', async () => {
    let changes = 0;
    const schedule = new DurableSchedule(() => {
      changes += 1;
    }).on('noop', () => undefined);
    schedule.after('noop', {}, 5);
    expect(changes).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(changes).toBe(2);
  });
});
