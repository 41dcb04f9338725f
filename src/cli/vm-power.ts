// What the VM power verbs share on the CLI side (cli_operations.ml): the host named by on=, the `progress` task
// waiter, and the per-host diagnostic table printed when no host can start a VM (hook_no_hosts_available,
// print_vm_host_report, print_assert_exception). Reference: xe-cli-behaviour.md §9 (vm-start), §3.2, §4.
import type { XObj } from '../engine/db'
import { XapiError } from '../engine/errors'
import { bootVerdicts } from '../engine/placement'
import { refConvert } from './errors'
import { CliFailure } from './failure'
import { printServerError } from './hooks/util'
import type { XeContext } from './context'
import type { Rec } from './records'

export const vmOf = (rec: Rec) => rec.obj as XObj<'VM'>

/** get_host_by_name_or_id: the first host whose name-label or uuid is `name`; `Host <name> not found`. */
export function hostByNameOrId(ctx: XeContext, name: string): XObj<'host'> {
  const h = ctx.db.all('host').find((x) => x.f.name_label === name || x.f.uuid === name)
  if (!h) throw new CliFailure(`Host ${name} not found`)
  return h
}

/**
 * waiter: the operation runs as a task that xe waits for. With a `progress` parameter (any value) xe draws the
 * task's progress on stderr: the emulated operation completes at once, so the bar shows the finished task
 * (" 100% | " and 70 '#') before the closing blank line; a task that fails reports no progress.
 */
export function waiter<T>(ctx: XeContext, op: () => T): T {
  if (!ctx.params.has('progress')) return op()
  try {
    const r = op()
    ctx.out.stderr(`\r 100% | ${'#'.repeat(70)}`)
    return r
  } finally {
    ctx.out.stderr('\n')
  }
}

/** print_assert_exception: why VM.assert_can_boot_here refused a host, in xe's words. */
export function assertExceptionText(ctx: XeContext, e: XapiError): string {
  const arg2 = () => refConvert(ctx.db, e.params[1] ?? '<server did not provide reference>')
  switch (e.code) {
    case 'VM_REQUIRES_SR':
      return `VM requires access to SR: ${arg2()}`
    case 'HOST_DISABLED':
      return "Host disabled (use 'xe host-enable' to re-enable)"
    case 'HOST_DISABLED_INDEFINITELY':
      return "Host disabled indefinitely (use 'xe host-enable' to re-enable)"
    case 'HOST_NOT_LIVE':
      return 'Host down'
    case 'HOST_NOT_ENOUGH_FREE_MEMORY':
      return 'Not enough free memory'
    case 'VM_REQUIRES_NETWORK':
      return `VM requires access to network: ${arg2()}`
    case 'HOST_CANNOT_ATTACH_NETWORK':
      return `Host cannot attach to network: ${arg2()}`
    case 'VM_HVM_REQUIRED':
      return 'HVM not supported'
  }
  if (e.code === 'HOST_NOT_ENOUGH_PCPUS' && e.params.length === 2) return `Not enough CPUs (VM needs ${e.params[0]}, but host has ${e.params[1]})`
  if (e.code === 'INVALID_VALUE' && e.params.length === 2) return `Field has invalid value: ${e.params[0]} = ${e.params[1]}`
  return printServerError(e)
}

/**
 * hook_no_hosts_available: on NO_HOSTS_AVAILABLE, xe first prints (stdout) two lines and an empty one, then a
 * one-record table of `<host name-label>: OK | Cannot start here [<reason>]`, and then reports the error.
 */
export function hookNoHostsAvailable<T>(ctx: XeContext, vm: XObj<'VM'>, op: () => T): T {
  try {
    return op()
  } catch (e) {
    if (e instanceof XapiError && e.code === 'NO_HOSTS_AVAILABLE') {
      ctx.out.list([
        'There are no suitable hosts to start this VM on.',
        'The following table provides per-host reasons for why the VM could not be started:',
        '',
      ])
      const table = bootVerdicts(ctx.db, vm).map(({ host, error }): [string, string] => [
        host.f.name_label,
        error ? `Cannot start here [${assertExceptionText(ctx, error)}]` : 'OK',
      ])
      ctx.out.table([table])
    }
    throw e
  }
}
