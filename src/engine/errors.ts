// The one error type of the engine: an XAPI error code with its ordered parameters.
// Rendering (descriptions, parameter names, refs shown as "uuid (name)") is the CLI's job.
export class XapiError extends Error {
  constructor(readonly code: string, readonly params: string[] = []) {
    super()
  }
}
// The message is made when read: the operation checks build an error for every refused operation (allowed_operations
// of thousands of objects when a large world is built) and almost none is ever shown.
Object.defineProperty(XapiError.prototype, 'message', {
  get(this: XapiError) {
    return `${this.code}: [ ${this.params.join('; ')} ]`
  },
  configurable: true,
})
XapiError.prototype.name = 'XapiError'

export const uuidInvalid = (table: string, uuid: string) => new XapiError('UUID_INVALID', [table, uuid])
export const handleInvalid = (table: string, ref: string) => new XapiError('HANDLE_INVALID', [table, ref])

/** The world on disk cannot be used (corrupt, unreadable, from a newer xesim). Never overwritten. */
export class WorldStateError extends Error {
  constructor(readonly file: string, readonly reason: string) {
    super(reason)
    this.name = 'WorldStateError'
  }
}

/** xe's client reaches no server at the address given by -s (newcli.ml prints `printed` itself; exit 1). */
export class UnreachableServer extends Error {
  constructor(readonly printed: string) {
    super(printed)
    this.name = 'UnreachableServer'
  }
}
