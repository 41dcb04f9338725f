// Field behaviour the record tables cannot express: computed fields (records.ml `get` functions that
// do more than read one field) and setters with their own validation. Keyed "<datamodel class>.<cli field>".
import type { Field, Rec } from './records'

export interface Hook {
  get?(rec: Rec, f: Field): string
  getSet?(rec: Rec, f: Field): string[]
  getMap?(rec: Rec, f: Field): Array<[string, string]>
  set?(rec: Rec, f: Field, text: string): void
  addToMap?(rec: Rec, f: Field, k: string, v: string): void
  setMap?(rec: Rec, f: Field, pairs: Array<[string, string]>): void
}

export const HOOKS: Record<string, Hook> = {}
