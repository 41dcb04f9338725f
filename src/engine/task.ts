// Tasks for operations that take time (exports, imports): the task is committed first so that other
// processes see it in task-list while the work runs outside any transaction; task.cancel marks it and
// the work notices at its next checkpoint. Reference: xapi-model.md §15; xapi_task.ml.
import type { Db, XObj } from './db'
import { XapiError } from './errors'
import { withWorld } from './world'
import { xapiDate, type Ref } from './values'

export interface TaskHandle {
  readonly ref: Ref
  /** Records progress (0..1); cheap enough to call per chunk (writes at most every 1 %). */
  progress(p: number): Promise<void>
  /** Throws TASK_CANCELLED if someone ran task-cancel on this task. */
  checkCancelled(): Promise<void>
}

const masterOf = (db: Db): Ref => db.all('pool')[0]?.f.master ?? 'OpaqueRef:NULL'

/** Creates a pending task (the caller commits it with its transaction). */
export function createTask(db: Db, label: string, description = '', cancellable = true): XObj<'task'> {
  return db.create('task', {
    name_label: label,
    name_description: description,
    status: 'pending',
    progress: 0,
    created: xapiDate(db.clock.now()),
    resident_on: masterOf(db),
    allowed_operations: cancellable ? ['cancel'] : [],
    type: '<none/>',
  })
}

/** task.cancel: marks the task; the operation running it notices at its next checkpoint (xapi_task.ml). */
export function cancelTask(db: Db, task: XObj<'task'>): void {
  db.set(task, { current_operations: [[db.ids.ref(), 'cancel']] })
}

/**
 * Runs body as a task of the world in `home`: the task exists (pending) while body runs, and is removed
 * afterwards as xe removes the tasks it waited for. body's own changes need their own transactions.
 */
export async function withTask<T>(home: string, label: string, body: (t: TaskHandle) => Promise<T>, description = ''): Promise<T> {
  const ref = await withWorld(home, true, ({ db }) => createTask(db, label, description).ref)
  let last = 0
  const handle: TaskHandle = {
    ref,
    async progress(p) {
      if (p - last < 0.01 && p < 1) return
      last = p
      await withWorld(home, true, ({ db }) => {
        const t = db.tryGet(ref, 'task')
        if (t) db.set(t, { progress: Math.min(1, p) })
      })
    },
    async checkCancelled() {
      const cancelling = await withWorld(home, false, ({ db }) => db.tryGet(ref, 'task')?.f.current_operations.some(([, op]) => op === 'cancel'))
      if (cancelling) throw new XapiError('TASK_CANCELLED', [ref])
    },
  }
  try {
    return await body(handle)
  } finally {
    await withWorld(home, true, ({ db }) => {
      const t = db.tryGet(ref, 'task')
      if (t) db.destroy(t)
    })
  }
}
