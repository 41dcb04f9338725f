// xe vbd-create vm-uuid= device= [vdi-uuid=] [type=cd|disk|floppy] [mode=ro|rw] [bootable=] [unpluggable=]: a VBD
// (empty without vdi-uuid, which only CDs may be); prints its uuid. Reference: xe-cli-behaviour.md §9 (vbd-create),
// xapi-model.md §9; cli_operations.ml vbd_create.
import { verb, XeCommand } from '../cli/command'
import { lowercaseAscii } from '../cli/enums'
import { CliFailure } from '../cli/failure'
import { createVbd } from '../engine/vbd'
import type { XeContext } from '../cli/context'

export default verb(
  'vbd-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const vm = ctx.db.getByUuid('VM', p.req('vm-uuid'))
      const vdiUuid = p.get('vdi-uuid')
      const empty = vdiUuid === undefined
      const vdi = vdiUuid === undefined ? undefined : ctx.db.getByUuid('VDI', vdiUuid)
      const bootable = p.bool('bootable')
      const modeText = p.get('mode')
      const mode = modeText === undefined ? 'RW' : parseMode(lowercaseAscii(modeText))
      const typeText = p.get('type')
      const type = typeText === undefined ? 'Disk' : parseType(lowercaseAscii(typeText))
      const unpluggable = p.bool('unpluggable', true)
      if (type === 'Disk' && empty) throw new CliFailure('Empty VBDs can only be made for type=CD')
      const vbd = createVbd(ctx.db, {
        vm, vdi, userdevice: p.req('device'), bootable, mode, type, unpluggable, empty,
        qos_algorithm_type: '', qos_algorithm_params: [], other_config: [], device: '', currently_attached: false,
      })
      ctx.out.list([vbd.f.uuid])
    }
  },
)

// The messages as xe has them: the mode one lacks its closing parenthesis, the type one starts with a quote.
function parseMode(x: string): 'RO' | 'RW' {
  if (x === 'ro') return 'RO'
  if (x === 'rw') return 'RW'
  throw new CliFailure(`Unknown mode: ${x} (should be "ro" or "rw"`)
}
function parseType(x: string): 'CD' | 'Disk' | 'Floppy' {
  if (x === 'cd') return 'CD'
  if (x === 'disk') return 'Disk'
  if (x === 'floppy') return 'Floppy'
  throw new CliFailure(`"Unknown type: ${x} (should be "cd", "disk" or "floppy"`)
}
