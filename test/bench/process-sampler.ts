import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface SampledProcess {
  name: string;
  pid: number;
  /** Only this thread of the process (a task under /proc/<pid>/task). */
  tid?: number;
  /** Leave these threads of the process out: they are sampled under names of their own. */
  withoutThreads?: number[];
  /** Add the CPU of its children, live and exited (PostgreSQL's backends). */
  withChildren?: boolean;
}

/** CPU time (µs) per process name, and the machine's busy and total time (µs, all cores). */
export interface CpuReading {
  at: number;
  processes: Record<string, number>;
  /** Resident memory now (bytes) per process; threads have none of their own. */
  residentBytes: Record<string, number>;
  machineBusy: number;
  machineTotal: number;
}

const TICK_US = 1e6 / systemValue('CLK_TCK', 100);
const PAGE_BYTES = systemValue('PAGESIZE', 4096);

function systemValue(name: string, fallback: number): number {
  try {
    return Number(execFileSync('getconf', [name], { encoding: 'utf8' }).trim()) || fallback;
  } catch {
    return fallback;
  }
}

/** Reads CPU time and peak RSS of the processes under test from /proc (Linux). */
export class ProcessSampler {
  private readonly targets = new Map<string, SampledProcess>();
  /** CPU of processes seen before that have exited since, so totals never go back. */
  private readonly lastSeen = new Map<string, number>();
  /** The same for threads left out of their process's total, by task id. */
  private readonly lastSeenThread = new Map<number, number>();

  add(target: SampledProcess): void {
    this.targets.set(target.name, target);
  }

  remove(name: string): void {
    this.targets.delete(name);
  }

  read(): CpuReading {
    const children = [...this.targets.values()].some((target) => target.withChildren)
      ? childrenByParent()
      : undefined;
    const processes: Record<string, number> = {};
    const residentBytes: Record<string, number> = {};
    for (const target of this.targets.values()) {
      const own = statOf(target.tid === undefined ? `${target.pid}` : `${target.pid}/task/${target.tid}`);
      let ticks: number | undefined;
      if (own) {
        ticks = own.utime + own.stime;
        if (target.tid === undefined) residentBytes[target.name] = own.rssPages * PAGE_BYTES;
        for (const tid of target.withoutThreads ?? []) ticks -= this.threadTicks(target.pid, tid);
        if (target.withChildren) {
          ticks += own.cutime + own.cstime;
          for (const child of children?.get(target.pid) ?? []) ticks += child.utime + child.stime;
        }
      }
      const us = ticks === undefined ? (this.lastSeen.get(target.name) ?? 0) : ticks * TICK_US;
      this.lastSeen.set(target.name, us);
      processes[target.name] = us;
    }
    const machine = machineTimes();
    return {
      at: performance.now(),
      processes,
      residentBytes,
      machineBusy: machine.busy,
      machineTotal: machine.total,
    };
  }

  /** A thread's CPU ticks, or its last reading once it has exited (its process keeps them). */
  private threadTicks(pid: number, tid: number): number {
    const stat = statOf(`${pid}/task/${tid}`);
    const ticks = stat ? stat.utime + stat.stime : (this.lastSeenThread.get(tid) ?? 0);
    this.lastSeenThread.set(tid, ticks);
    return ticks;
  }

  /** VmHWM (peak resident set) in bytes, per process. */
  peakRss(): Record<string, number> {
    const peaks: Record<string, number> = {};
    for (const target of this.targets.values()) {
      // A thread shares its process's memory; the process's row gives it.
      if (target.tid !== undefined) continue;
      try {
        const status = readFileSync(`/proc/${target.pid}/status`, 'utf8');
        const match = /VmHWM:\s+(\d+) kB/.exec(status);
        if (match) peaks[target.name] = Number(match[1]) * 1024;
      } catch {
        // exited
      }
    }
    return peaks;
  }
}

interface Stat {
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
  rssPages: number;
}

/** `task` is a pid, or `<pid>/task/<tid>` for one thread. */
function statOf(task: string): Stat | undefined {
  try {
    return parseStat(readFileSync(`/proc/${task}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Fields after the command name, which may itself hold spaces and parentheses. */
function parseStat(text: string): Stat {
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return {
    ppid: Number(fields[1]),
    utime: Number(fields[11]),
    stime: Number(fields[12]),
    cutime: Number(fields[13]),
    cstime: Number(fields[14]),
    rssPages: Number(fields[21]),
  };
}

function childrenByParent(): Map<number, Stat[]> {
  const byParent = new Map<number, Stat[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = statOf(entry);
    if (!stat) continue;
    let siblings = byParent.get(stat.ppid);
    if (!siblings) byParent.set(stat.ppid, (siblings = []));
    siblings.push(stat);
  }
  return byParent;
}

function machineTimes(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy * TICK_US, total: (busy + idle + iowait) * TICK_US };
}
