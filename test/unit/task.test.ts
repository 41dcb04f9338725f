// Tasks of long operations (xapi-model.md §15): visible in task-list while running, cancellable,
// removed afterwards as xe removes the tasks it waited for.
import assert from 'node:assert/strict'
import { withTask } from '../../src/engine/task'
import { XapiError } from '../../src/engine/errors'
import { cleanupHomes, seededHome, xe } from '../helpers'

describe('tasks of long operations (§15)', () => {
  after(cleanupHomes)

  it('a running task shows in task-list with its label, progress and status, then disappears', async () => {
    const home = await seededHome(5)
    await withTask(home, 'Export of VM: test', async (t) => {
      await t.progress(0.5)
      const list = await xe(home, ['task-list', 'params=name-label,status,progress'])
      // §3.2: w = 4 + len("name-label ( RO)") = 20
      assert.equal(list.stdout, 'name-label ( RO)    : Export of VM: test\n        status ( RO): pending\n      progress ( RO): 0.500\n\n\n')
    })
    assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
  })

  it('task-cancel makes the operation stop with TASK_CANCELLED at its next checkpoint', async () => {
    const home = await seededHome(6)
    await assert.rejects(
      withTask(home, 'Import of VM', async (t) => {
        await t.checkCancelled()
        const uuid = (await xe(home, ['task-list', '--minimal'])).stdout.trim()
        const r = await xe(home, ['task-cancel', `uuid=${uuid}`])
        assert.deepEqual(r, { stdout: '', stderr: '', code: 0 })
        await t.checkCancelled()
      }),
      (e: unknown) => e instanceof XapiError && e.code === 'TASK_CANCELLED',
    )
    assert.equal((await xe(home, ['task-list', '--minimal'])).stdout, '\n')
  })
})
