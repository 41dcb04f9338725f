// VM operation checks and allowed_operations (xapi-model.md §4, §4.1, §4.2).
import assert from 'node:assert/strict'
import { withWorld } from '../../src/engine/world'
import { allowedOperations, allowedPowerStates, badPowerState, checkOperation } from '../../src/engine/vm-lifecycle'
import { cleanupHomes, seededHome } from '../helpers'

describe('VM lifecycle checks (xapi-model.md §4)', () => {
  let home: string
  before(async () => {
    home = await seededHome(21)
  })
  after(cleanupHomes)

  it('the fresh world stores exactly the allowed_operations xapi computes (§4.2)', async () => {
    await withWorld(home, false, ({ db }) => {
      for (const vm of db.all('VM')) assert.deepEqual(allowedOperations(db, vm), vm.f.allowed_operations, vm.f.name_label)
    })
  })

  it('VM_BAD_POWER_STATE lists the expected states lower-case and ", "-joined (§4)', async () => {
    await withWorld(home, false, ({ db }) => {
      const dom0 = db.all('VM').find((v) => v.f.is_control_domain)!
      const e = badPowerState(dom0, 'hard_shutdown')
      assert.deepEqual(e.params, [dom0.ref, 'paused, suspended, running', 'running'])
      assert.deepEqual(allowedPowerStates(dom0, 'changing_VCPUs'), ['Halted', 'Running'])
    })
  })

  it('checks run in xapi order: power state before template rules, templates refuse start (§4.1)', async () => {
    await withWorld(home, false, ({ db }) => {
      const tpl = db.all('VM').find((v) => v.f.name_label === 'Debian Bookworm 12')!
      const start = checkOperation(db, tpl, 'start', false)
      assert.equal(start?.code, 'VM_IS_TEMPLATE')
      assert.deepEqual(start?.params, [tpl.ref, 'start'])
      assert.equal(checkOperation(db, tpl, 'destroy', false)?.code, 'VM_IS_TEMPLATE', 'a default template cannot be destroyed')
      assert.equal(checkOperation(db, tpl, 'clone', false), undefined)
      assert.equal(checkOperation(db, tpl, 'pause', false)?.code, 'VM_BAD_POWER_STATE')
      const dom0 = db.all('VM').find((v) => v.f.is_control_domain)!
      assert.equal(checkOperation(db, dom0, 'destroy', false)?.code, 'VM_BAD_POWER_STATE', 'the power state is checked first')
      assert.deepEqual(checkOperation(db, dom0, 'changing_VCPUs', false)?.params, ['This operation is not allowed on dom0'])
      assert.deepEqual(checkOperation(db, dom0, 'snapshot', false)?.params, ['This operation is not allowed on a control domain'])
      assert.equal(checkOperation(db, dom0, 'snapshot_with_quiesce', false)?.code, 'OPERATION_NOT_ALLOWED')
    })
  })
})
