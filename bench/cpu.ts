// Where a run's CPU went, from /proc: the server under load, PostgreSQL's processes, the kcat
// broker, this process (the load generator, with whatever else the benchmark runs in it: its
// socket.io subscriber, the Slack and SMTP stubs, its checks) and the rest of the machine.
// On a small box every figure is a share of the same few cores, so this says whether a goal is
// bound by Sitrep's own thread or by what shares the machine with it.
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

const TICK_SECONDS = 0.01; // USER_HZ is 100 on Linux

/** utime + stime of a process (all its threads), in seconds; null if it is gone. */
function processSeconds(pid: number, path = `/proc/${pid}/stat`): { comm: string; seconds: number } | null {
  try {
    const stat = readFileSync(path, 'utf8');
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return { comm, seconds: (Number(fields[11]) + Number(fields[12])) * TICK_SECONDS };
  } catch {
    return null;
  }
}

/** Busy and total CPU seconds of the whole machine. */
function machineSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy: busy * TICK_SECONDS, total: (busy + idle + iowait) * TICK_SECONDS };
}

type Snapshot = {
  at: number;
  machine: { busy: number; total: number };
  self: number;
  /** The server's main thread (its event loop). */
  loop: number;
  processes: Map<number, { comm: string; seconds: number }>;
};

function snapshot(serverPid: number): Snapshot {
  const processes = new Map<number, { comm: string; seconds: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const p = processSeconds(pid);
    if (p) processes.set(pid, p);
  }
  const usage = process.cpuUsage();
  const loop = processSeconds(serverPid, `/proc/${serverPid}/task/${serverPid}/stat`)?.seconds ?? 0;
  return { at: performance.now(), machine: machineSeconds(), self: (usage.user + usage.system) / 1e6, loop, processes };
}

export interface CpuShares {
  seconds: number;
  cores: number;
  /** Cores used on average over the run, by part. */
  server: number;
  /** Of `server`, its main thread: a Node server cannot go past 1.0 here. */
  loop: number;
  postgres: number;
  broker: number;
  bench: number;
  other: number;
  idle: number;
}

/** Starts measuring; `stop()` gives the average cores each part used since. `serverPid`: the server under load. */
export function cpuMeter(serverPid: number): { stop(): CpuShares } {
  const before = snapshot(serverPid);
  return {
    stop() {
      const after = snapshot(serverPid);
      const seconds = (after.at - before.at) / 1000;
      const used = (pid: number) => {
        const now = after.processes.get(pid);
        if (!now) return 0;
        const then = before.processes.get(pid);
        return now.seconds - (then && then.comm === now.comm ? then.seconds : 0);
      };
      let postgres = 0;
      let broker = 0;
      for (const [pid, p] of after.processes) {
        if (p.comm === 'postgres') postgres += used(pid);
        else if (p.comm === 'kcat') broker += used(pid);
      }
      const server = used(serverPid);
      const bench = after.self - before.self;
      const busy = after.machine.busy - before.machine.busy;
      const total = after.machine.total - before.machine.total;
      const cores = cpus().length;
      const per = (s: number) => s / seconds;
      return {
        seconds,
        cores,
        server: per(server),
        loop: per(after.loop - before.loop),
        postgres: per(postgres),
        broker: per(broker),
        bench: per(bench),
        other: Math.max(0, per(busy - server - postgres - broker - bench)),
        idle: Math.max(0, ((total - busy) / total) * cores),
      };
    },
  };
}

/** One line: cores used by each part, and CPU per unit of work (e.g. per request) where `units` is given. */
export function describeCpu(shares: CpuShares, units?: { count: number; name: string }, label = 'server'): string {
  const part = (name: string, cores: number) => {
    const each =
      units && units.count > 0
        ? ` (${((cores * shares.seconds * 1e6) / units.count).toFixed(0)} µs/${units.name})`
        : '';
    return `${name} ${cores.toFixed(2)}${each}`;
  };
  return (
    `CPU of ${shares.cores} cores: ${part(label, shares.server)} of which its event loop ${shares.loop.toFixed(2)}, ${part('PostgreSQL', shares.postgres)}, ` +
    `${shares.broker > 0 ? `${part('broker', shares.broker)}, ` : ''}${part('load generator', shares.bench)}, ` +
    `other ${shares.other.toFixed(2)}, idle ${shares.idle.toFixed(2)}`
  );
}
