// xe network-create name-label= [name-description=] [MTU=] [bridge=] [managed=]: a network (MTU 1500 unless given;
// bridge chosen by xapi when empty; managed by default). Prints its uuid.
// Reference: xe-cli-behaviour.md §9 (network-create), §3.4, xapi-model.md §12; cli_operations.ml net_create.
import { verb, XeCommand } from '../cli/command'
import { parseInt64Raw } from '../cli/enums'
import { createNetwork } from '../engine/network'
import type { XeContext } from '../cli/context'

export default verb(
  'network-create',
  class extends XeCommand {
    exec(ctx: XeContext): void {
      const p = ctx.params
      const name = p.req('name-label')
      const descr = p.get('name-description') ?? ''
      // Int64.of_string: an unparsable MTU is an internal error "Failure: Int64.of_string"
      const mtu = p.has('MTU') ? parseInt64Raw('MTU', p.req('MTU')) : 1500
      const bridge = p.get('bridge') ?? ''
      const managed = p.bool('managed', true)
      const net = createNetwork(ctx.db, { name_label: name, name_description: descr, MTU: mtu, other_config: [], bridge, managed, tags: [] })
      ctx.out.list([net.f.uuid])
    }
  },
)
