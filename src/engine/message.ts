// Messages (alerts): xapi_message.ml / api_messages.ml. Reference: xapi-model.md §16.
import type { Db, XObj } from './db'
import { xapiDate } from './values'

/** Built-in message names with their default priorities (api_messages.ml). */
export const MESSAGES = {
  VM_STARTED: 5, VM_SHUTDOWN: 5, VM_REBOOTED: 5, VM_MIGRATED: 5, VM_SNAPSHOTTED: 5, VM_SNAPSHOT_REVERTED: 5, VM_CHECKPOINTED: 5,
  VM_SUSPENDED: 5, VM_RESUMED: 5, VM_PAUSED: 5, VM_UNPAUSED: 5, VM_CRASHED: 2, VM_CLONED: 5, VM_SECURE_BOOT_FAILED: 5,
} as const
export type MessageName = keyof typeof MESSAGES

type Cls = XObj<'message'>['f']['cls']

export function createMessage(db: Db, name: string, priority: number, cls: Cls, objUuid: string, body: string): XObj<'message'> {
  return db.create('message', { name, priority, cls, obj_uuid: objUuid, timestamp: xapiDate(db.clock.now()), body })
}

/** create_vm_message (message_forwarding.ml): a built-in VM message about vm. */
export function vmMessage(db: Db, vm: XObj<'VM'>, name: MessageName, body: string): XObj<'message'> {
  return createMessage(db, name, MESSAGES[name], 'VM', vm.f.uuid, body)
}

/** The "VM '<name>' (uuid: <uuid>)" prefix of xapi's VM message bodies. */
export const vmDescription = (vm: XObj<'VM'>) => `VM '${vm.f.name_label}' (uuid: ${vm.f.uuid})`
