/**
 * Guest block I/O scheduler names, as profiles write them and the kernel
 * spells them: what a profile may say (validated at load time) and the legacy
 * names it may still use. Setting one in a guest is guest/scheduler.ts.
 *
 * Since Linux 5.0 only multi-queue schedulers exist (none, mq-deadline, bfq,
 * kyber); virtio-blk has been blk-mq since 3.13, so the legacy single-queue
 * names never apply to it on a modern kernel.
 */

/** Scheduler names as the kernel spells them (also what profiles may write). */
export const SCHEDULER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const LEGACY: Record<string, string> = {
  noop: 'none',
  deadline: 'mq-deadline',
  cfq: 'bfq',
};

/** Map a legacy single-queue scheduler name to its blk-mq successor (other names pass through). */
export function mapLegacyScheduler(name: string): { effective: string; notice?: string } {
  const effective = LEGACY[name];
  if (effective === undefined) return { effective: name };
  return {
    effective,
    notice:
      `scheduler '${name}' measured as '${effective}': legacy single-queue schedulers (noop, deadline, cfq) ` +
      `were removed in Linux 5.0 and virtio-blk is a blk-mq device, so '${name}' cannot apply to it`,
  };
}
