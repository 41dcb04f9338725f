import { Command, Flags } from '@oclif/core'
import { PROFILES, withWorld, worldHome } from '../engine/world'
import type { Profile } from '../engine/world/fresh-host'

export default class HostAdd extends Command {
  static override description =
    'Add a freshly installed standalone host (its own pool, control domain, local SRs, PIFs and networks) to the world; xe reaches it with -s ADDRESS-OR-NAME -u root -pw PASSWORD. Prints the new host\'s uuid.'
  static override examples = [
    '<%= config.bin %> host-add --name-label xenserver-02 --address 10.0.0.11 --password secret',
    'xe -s 10.0.0.11 -u root -pw secret pool-join master-address=10.0.0.10 master-username=root master-password=xenserver',
  ]
  static override flags = {
    'name-label': Flags.string({ description: 'the host\'s name-label and hostname', required: true }),
    address: Flags.string({ description: 'its management IPv4 address (unique in the world)', required: true }),
    password: Flags.string({ description: 'root\'s password (default: xenserver)', default: 'xenserver' }),
    cpus: Flags.integer({ description: 'logical CPUs', min: 1, max: 512, default: 16 }),
    memory: Flags.string({ description: 'host memory: bytes, or a number with KiB, MiB, GiB or TiB', default: '64GiB' }),
    product: Flags.string({ description: 'which product the host runs', options: PROFILES, default: 'xenserver-8' }),
  }

  async run(): Promise<void> {
    const { flags } = await this.parse(HostAdd)
    const { bytesOfString } = await import('../cli/enums')
    const { parseIpv4 } = await import('../engine/ip')
    const { addHost } = await import('../engine/world/pools')
    const memory = bytesOfString(flags.memory)
    if (memory === undefined || memory < 1n << 30n || memory > 1n << 44n) this.error(`invalid --memory '${flags.memory}': expecting 1GiB to 16TiB, e.g. 64GiB`, { exit: 1 })
    if (!parseIpv4(flags.address)) this.error(`invalid --address '${flags.address}': expecting an IPv4 address`, { exit: 1 })
    if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$/.test(flags['name-label'])) this.error(`invalid --name-label '${flags['name-label']}': expecting a host name (letters, digits, '-', '.')`, { exit: 1 })
    try {
      const uuid = await withWorld(worldHome(), true, (s) =>
        addHost(s, { nameLabel: flags['name-label'], address: flags.address, password: flags.password, cpus: flags.cpus, memoryBytes: Number(memory), profile: flags.product as Profile }).f.uuid,
      )
      this.log(uuid)
    } catch (e) {
      this.error((e as Error).message, { exit: 1 })
    }
  }
}
