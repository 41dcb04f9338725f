// The CLI-side failures of xe (xapi_cli.ml exception_handler), each rendered in one place (errors.ts).

/** Cli_failure / Record_failure: printed as `Error: <message>` on stderr, exit 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CliFailure'
  }
}
/** Unknown_command: `Unknown command: <name>` + usage hint. */
export class UnknownCommand extends Error {}
/** ParseError: `Syntax error: ` (its message is always lost, as in xe) + usage hint. */
export class SyntaxError_ extends Error {}
/** ParamNotFound: `Required parameter not found: <name>` + usage hint. */
export class ParamNotFound extends Error {
  constructor(readonly param: string) {
    super(param)
  }
}
/** Records.CLI_failed_to_find_param: rendered through the non-datamodel error path. */
export class MissingParam extends Error {
  constructor(readonly param: string) {
    super(param)
  }
}
/** Multiple_failure: one `operation failed on <uuid>: <message>` line per failure, on stdout. */
export class MultipleFailure extends Error {
  /** commitChanges: the objects that succeeded keep their changes although the command fails. */
  constructor(
    readonly failures: Array<[string, string]>,
    readonly commitChanges = false,
  ) {
    super('multiple failures')
  }
}
/** ExitWithError n: exit with that code, nothing printed. */
export class ExitWithError extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`)
  }
}
/** An OCaml exception other than the above: rendered as INTERNAL_ERROR with its printed form. */
export class InternalError extends Error {
  constructor(readonly printed: string) {
    super(printed)
  }
}
/** The client read end of input while answering a prompt (newcli.ml End_of_file): "Lost connection to the server." */
export class LostConnection extends Error {
  constructor() {
    super('lost connection')
  }
}
