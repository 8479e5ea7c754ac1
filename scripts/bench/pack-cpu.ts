import { readFileSync } from "node:fs";

/** CPU time (user + system) a process has used so far, from /proc; undefined where there is no /proc. */
export function processCpuMs(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces, hence the last ")"); utime and stime
    // are the 12th and 13th of them, in ticks of 1/100 s (USER_HZ, fixed by the kernel's ABI).
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/**
 * Wraps a piece of work so that each run also records the CPU another process (the policy pack)
 * spent meanwhile. Ticks are 10 ms: the mean over several runs smooths what one reading rounds.
 */
export function withProcessCpu<T>(pid: number, work: () => Promise<T>): { work: () => Promise<T>; meanCpuMs: () => number | undefined } {
  const samples: number[] = [];
  let unavailable = false;
  return {
    work: async () => {
      const before = processCpuMs(pid);
      const value = await work();
      const after = processCpuMs(pid);
      if (before === undefined || after === undefined) {
        unavailable = true;
      } else {
        samples.push(after - before);
      }
      return value;
    },
    meanCpuMs: () => (unavailable || samples.length === 0 ? undefined : samples.reduce((a, b) => a + b, 0) / samples.length),
  };
}
