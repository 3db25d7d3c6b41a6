import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What a sandbox keeps on disk, so that its customers, accounts, keys and pending work outlive a restart
 * (Ctrl-C or kill -9) as they outlive one at the provider.
 *
 * Write-through snapshots with an atomic rename: after every change the whole state is written to a
 * temporary file in the same folder, then renamed over `state.json`. A rename within one file system
 * replaces the file in one step, so a kill at any moment leaves either the previous state or the new
 * one, never half of one. A snapshot was chosen over an append-only log because the sandboxes' state is
 * small and lives in plain maps mutated from many handlers: one serialiser per sandbox sees every change
 * without each handler having to log its own. No fsync: kill -9 ends the process, not the kernel, and
 * the page cache is written out all the same (a power cut may lose the last writes, as it may at a
 * provider's sandbox).
 *
 * Bytes (uploaded documents) go to `blobs/`, written once each the same way, so a snapshot stays small.
 * Without a folder nothing is written: memory only.
 */

/** One part of a sandbox's state: a JSON-serialisable snapshot, and how to take it back. */
export interface StatePart<T = unknown> {
  snapshot(): T;
  restore(state: T): void;
}

const STATE_FILE = 'state.json';
const FORMAT = 1;

/** The snapshot file of one sandbox and its parts; memory only without a folder. */
export class SandboxState {
  private readonly parts = new Map<string, StatePart>();
  private lastWritten: string | undefined;
  private pending = false;
  private closed = false;
  // Nothing is written before the folder was read: an early write would replace the saved state.
  private loaded = false;

  /** `dir` is the sandbox's own folder (`<data>/sandboxes/<provider>`), created when absent. */
  constructor(readonly dir: string | undefined) {
    if (dir) mkdirSync(join(dir, 'blobs'), { recursive: true });
  }

  /** True when the state is written to disk. */
  get durable(): boolean {
    return this.dir !== undefined;
  }

  /** Registers a part under a name; the names are the snapshot's keys. */
  add<T>(name: string, part: StatePart<T>): this {
    this.parts.set(name, part as StatePart);
    return this;
  }

  /** Restores every part from the folder's snapshot; false when there is none (a fresh folder). */
  load(): boolean {
    this.loaded = true;
    if (!this.dir) return false;
    this.removeTemporaryFiles();
    const file = join(this.dir, STATE_FILE);
    if (!existsSync(file)) return false;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { format?: number; parts?: Record<string, unknown> };
    if (saved.format !== FORMAT)
      throw new Error(`${file}: unknown format ${String(saved.format)}; delete the folder to start over`);
    for (const [name, part] of this.parts) if (saved.parts?.[name] !== undefined) part.restore(saved.parts[name]);
    this.lastWritten = this.serialise();
    return true;
  }

  /** Writes the state now if it changed since the last write. */
  save(): void {
    this.pending = false;
    if (!this.dir || this.closed || !this.loaded) return;
    const text = this.serialise();
    if (text === this.lastWritten) return;
    writeAtomically(join(this.dir, STATE_FILE), text);
    this.lastWritten = text;
  }

  /** Saves once the current synchronous work is done, so several changes in one turn write once. */
  touch(): void {
    if (!this.dir || this.pending) return;
    this.pending = true;
    queueMicrotask(() => this.save());
  }

  /** Writes the state a last time and stops writing (a stopped sandbox changes nothing any more). */
  close(): void {
    this.save();
    this.closed = true;
  }

  /** Stores bytes under a name (letters, digits, `.`, `_`, `-`); a no-op in memory-only mode. */
  putBlob(name: string, bytes: Buffer): void {
    if (this.dir) writeAtomically(join(this.dir, 'blobs', safeName(name)), bytes);
  }

  /** The bytes stored under a name, if any. */
  getBlob(name: string): Buffer | undefined {
    if (!this.dir) return undefined;
    const file = join(this.dir, 'blobs', safeName(name));
    return existsSync(file) ? readFileSync(file) : undefined;
  }

  /** Removes the bytes stored under a name. */
  deleteBlob(name: string): void {
    if (this.dir) rmSync(join(this.dir, 'blobs', safeName(name)), { force: true });
  }

  private serialise(): string {
    const parts: Record<string, unknown> = {};
    for (const [name, part] of this.parts) parts[name] = part.snapshot();
    return JSON.stringify({ format: FORMAT, parts });
  }

  // Left by a kill between a write and its rename: the state file before it is still whole.
  private removeTemporaryFiles(): void {
    for (const folder of [this.dir as string, join(this.dir as string, 'blobs')]) {
      for (const name of readdirSync(folder)) if (name.includes('.tmp-')) rmSync(join(folder, name), { force: true });
    }
  }
}

let tmpSeq = 0;

/** Writes a file so that it is either wholly old or wholly new: a temporary file, then a rename over it. */
export function writeAtomically(file: string, data: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}-${++tmpSeq}`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, file);
}

function safeName(name: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(name) || name.startsWith('.')) throw new Error('invalid blob name');
  return name;
}

/** Converts a map to entries for a snapshot (values copied as JSON). */
export const entriesOf = <K, V>(map: Map<K, V>): [K, V][] => [...map.entries()];

/** Refills a map from a snapshot's entries. */
export function refill<K, V>(map: Map<K, V>, entries: [K, V][] | undefined): void {
  map.clear();
  for (const [key, value] of entries ?? []) map.set(key, value);
}
