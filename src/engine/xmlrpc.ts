// XML-RPC values as xapi writes and reads them (ocaml-rpc's Rpc.t, Xmlrpc.to_string / Xmlrpc.of_string in its
// non-strict mode): ints are bare `<value>123</value>`, strings are escaped, member names are not. Plus the
// conversion of database records to and from these values by datamodel type (the generated
// API.rpc_of_<class>_t / <class>_t_of_rpc), which is what an XVA's ova.xml holds.
import { fieldsOf, defaultValue } from './schema'
import type { ClassName } from './model.generated'

export type Rpc =
  | { k: 'string'; v: string }
  | { k: 'int'; v: string }
  | { k: 'bool'; v: boolean }
  | { k: 'double'; v: number }
  | { k: 'datetime'; v: string }
  | { k: 'array'; v: Rpc[] }
  | { k: 'struct'; v: Array<[string, Rpc]> }
  | { k: 'base64'; v: string }
  | { k: 'nil' }

export const rString = (v: string): Rpc => ({ k: 'string', v })
export const rInt = (v: number | bigint | string): Rpc => ({ k: 'int', v: String(v) })
export const rStruct = (v: Array<[string, Rpc]>): Rpc => ({ k: 'struct', v })

// ---------------------------------------------------------------------------------------------------------
// Printing.

/** encode_buf: the four XML specials become entities; other control characters but tab, LF and CR vanish. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[<>&"\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : ''))
}

/** C's "%.16g" (ocaml-rpc prints doubles with it). */
export function formatDouble16g(d: number): string {
  if (Number.isNaN(d)) return 'nan'
  if (!Number.isFinite(d)) return d > 0 ? 'inf' : '-inf'
  if (d === 0) return Object.is(d, -0) ? '-0' : '0'
  const exp = Number(d.toExponential(15).split('e')[1])
  const strip = (m: string) => (m.includes('.') ? m.replace(/0+$/, '').replace(/\.$/, '') : m)
  if (exp < -4 || exp >= 16) {
    const [m, e] = d.toExponential(15).split('e')
    const n = Number(e)
    return `${strip(m!)}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`
  }
  return strip(d.toFixed(Math.max(0, 15 - exp)))
}

export function rpcToXml(x: Rpc): string {
  const out: string[] = []
  const add = (v: Rpc): void => {
    switch (v.k) {
      case 'nil': out.push('<value><nil/></value>'); return
      case 'int': out.push('<value>', v.v, '</value>'); return
      case 'bool': out.push('<value><boolean>', v.v ? '1' : '0', '</boolean></value>'); return
      case 'double': out.push('<value><double>', formatDouble16g(v.v), '</double></value>'); return
      case 'string': out.push('<value>', escapeXml(v.v), '</value>'); return
      case 'datetime': out.push('<value><dateTime.iso8601>', v.v, '</dateTime.iso8601></value>'); return
      case 'base64': out.push('<value><base64>', Buffer.from(v.v, 'latin1').toString('base64'), '</base64></value>'); return
      case 'array':
        out.push('<value><array><data>')
        for (const e of v.v) add(e)
        out.push('</data></array></value>')
        return
      case 'struct':
        out.push('<value><struct>')
        for (const [name, e] of v.v) {
          out.push('<member><name>', name, '</name>')
          add(e)
          out.push('</member>')
        }
        out.push('</struct></value>')
        return
    }
  }
  add(x)
  return out.join('')
}

// ---------------------------------------------------------------------------------------------------------
// Parsing (Xmlm events, then ocaml-rpc's Parser).

/** Xmlrpc.Parse_error (got, expected, _): printed by OCaml as `Xmlrpc.Parse_error("got", "expected", _)`. */
export class XmlRpcParseError extends Error {
  constructor(readonly got: string, readonly expected: string) {
    super(`Xmlrpc.Parse_error(${JSON.stringify(got)}, ${JSON.stringify(expected)}, _)`)
  }
}

type Ev = { t: 'start'; tag: string } | { t: 'end' } | { t: 'data'; d: string }

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }
function unescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    return ENTITIES[e] ?? m
  })
}

/** A small pull parser producing Xmlm-like events (declarations, comments and attributes dropped). */
class XmlEvents {
  private i = 0
  private pending: Ev[] = []
  constructor(private s: string) {}

  private next(): Ev | undefined {
    if (this.pending.length > 0) return this.pending.shift()
    const s = this.s
    for (;;) {
      if (this.i >= s.length) return undefined
      if (s[this.i] !== '<') {
        let data = ''
        while (this.i < s.length && s[this.i] !== '<') {
          const j = s.indexOf('<', this.i)
          const end = j < 0 ? s.length : j
          data += unescape(s.slice(this.i, end))
          this.i = end
          if (s.startsWith('<![CDATA[', this.i)) {
            const k = s.indexOf(']]>', this.i)
            if (k < 0) throw new XmlRpcParseError('eoi', 'data')
            data += s.slice(this.i + 9, k)
            this.i = k + 3
          }
        }
        return { t: 'data', d: data }
      }
      if (s.startsWith('<?', this.i)) {
        const k = s.indexOf('?>', this.i)
        this.i = k < 0 ? s.length : k + 2
        continue
      }
      if (s.startsWith('<!--', this.i)) {
        const k = s.indexOf('-->', this.i)
        this.i = k < 0 ? s.length : k + 3
        continue
      }
      if (s.startsWith('<![CDATA[', this.i)) {
        const k = s.indexOf(']]>', this.i)
        if (k < 0) throw new XmlRpcParseError('eoi', 'data')
        const d = s.slice(this.i + 9, k)
        this.i = k + 3
        return { t: 'data', d }
      }
      if (s.startsWith('<!', this.i)) {
        const k = s.indexOf('>', this.i)
        this.i = k < 0 ? s.length : k + 1
        continue
      }
      const k = s.indexOf('>', this.i)
      if (k < 0) throw new XmlRpcParseError('eoi', 'tag')
      let body = s.slice(this.i + 1, k)
      this.i = k + 1
      if (body.startsWith('/')) return { t: 'end' }
      const selfClosing = body.endsWith('/')
      if (selfClosing) body = body.slice(0, -1)
      const tag = body.trim().split(/\s+/)[0]!.replace(/^.*:/, '')
      if (selfClosing) this.pending.push({ t: 'end' })
      return { t: 'start', tag }
    }
  }
  private peeked: Ev | undefined | null = null
  peek(): Ev | undefined {
    if (this.peeked === null) this.peeked = this.next()
    return this.peeked
  }
  input(): Ev {
    const e = this.peek()
    this.peeked = null
    if (!e) throw new XmlRpcParseError('eoi', 'input')
    return e
  }
}

const isEmpty = (d: string) => /^[\n \t]*$/.test(d)
const describe = (e: Ev) => (e.t === 'start' ? `open_tag(${e.tag})` : e.t === 'end' ? 'close_tag' : `data(${e.d})`)

function openTag(x: XmlEvents): string {
  for (;;) {
    const e = x.input()
    if (e.t === 'start') return e.tag
    if (e.t === 'data' && isEmpty(e.d)) continue
    throw new XmlRpcParseError(describe(e), 'open_tag')
  }
}
function closeTag(x: XmlEvents, tag: string): void {
  for (;;) {
    const e = x.input()
    if (e.t === 'end') return
    if (e.t === 'data' && isEmpty(e.d)) continue
    throw new XmlRpcParseError(describe(e), `close_tag(${tag})`)
  }
}
function getData(x: XmlEvents): string {
  const e = x.input()
  if (e.t === 'data') return e.d
  // an empty element: its El_end is consumed here, as ocaml-rpc does (the caller's close then fails)
  if (e.t === 'end') return ''
  throw new XmlRpcParseError(`open_tag(${e.tag})`, 'data')
}
function skipEmpty(x: XmlEvents): void {
  for (let e = x.peek(); e && e.t === 'data' && isEmpty(e.d); e = x.peek()) x.input()
}

function parseTyped(x: XmlEvents, tag: string): Rpc {
  if (x.peek()?.t === 'end') {
    switch (tag) {
      case 'string': case 'value': return rString('')
      case 'array': return { k: 'array', v: [] }
      case 'struct': return rStruct([])
      case 'nil': return { k: 'nil' }
      default: throw new XmlRpcParseError(`empty_${tag}`, tag)
    }
  }
  switch (tag) {
    case 'int': case 'i8': case 'i4': {
      const d = getData(x).trim()
      if (!/^[+-]?\d+$/.test(d)) throw new XmlRpcParseError(d, 'int')
      return rInt(BigInt(d))
    }
    case 'boolean': return { k: 'bool', v: getData(x) === '1' }
    case 'double': return { k: 'double', v: Number(getData(x)) }
    case 'string': return rString(getData(x))
    case 'dateTime.iso8601': return { k: 'datetime', v: getData(x) }
    case 'base64': return { k: 'base64', v: Buffer.from(getData(x), 'base64').toString('latin1') }
    case 'nil': return { k: 'nil' }
    case 'array': {
      const t = openTag(x)
      if (t !== 'data') throw new XmlRpcParseError(`open_tag(${t})`, 'open_tag(data)')
      const items: Rpc[] = []
      skipEmpty(x)
      while (x.peek() && x.peek()!.t !== 'end') {
        items.push(parseValue(x))
        skipEmpty(x)
      }
      closeTag(x, 'data')
      return { k: 'array', v: items }
    }
    case 'struct': {
      const members: Array<[string, Rpc]> = []
      skipEmpty(x)
      while (x.peek() && x.peek()!.t !== 'end') {
        const m = openTag(x)
        if (m !== 'member') throw new XmlRpcParseError(`open_tag(${m})`, 'open_tag(member)')
        const n = openTag(x)
        if (n !== 'name') throw new XmlRpcParseError(`open_tag(${n})`, 'open_tag(name)')
        const name = getData(x)
        closeTag(x, 'name')
        members.push([name, parseValue(x)])
        closeTag(x, 'member')
        skipEmpty(x)
      }
      return rStruct(members)
    }
    default:
      throw new XmlRpcParseError(`open_tag(${tag})`, 'open_tag(int/i8/i4/boolean/double/string/dateTime.iso8601/array/struct/nil)')
  }
}

function parseValue(x: XmlEvents): Rpc {
  const t = openTag(x)
  if (t !== 'value') throw new XmlRpcParseError('open_tag(value)', `open_tag(${t})`)
  let r: Rpc
  const p = x.peek()
  if (!p) throw new XmlRpcParseError('eoi', 'value')
  if (p.t === 'end') r = rString('')
  else if (p.t === 'data') {
    x.input()
    const n = x.peek()
    if (isEmpty(p.d) && n?.t === 'start') r = typedElement(x)
    else r = rString(p.d)
  } else r = typedElement(x)
  closeTag(x, 'value')
  return r
}
function typedElement(x: XmlEvents): Rpc {
  const tag = openTag(x)
  const r = parseTyped(x, tag)
  closeTag(x, tag)
  return r
}

/** Xmlrpc.of_string: one `<value>` (after an optional XML declaration). */
export function parseXmlRpc(s: string): Rpc {
  return parseValue(new XmlEvents(s))
}

// ---------------------------------------------------------------------------------------------------------
// Database records <-> XML-RPC, by datamodel type (API.rpc_of_<cls>_t / <cls>_t_of_rpc).

const MAP_RE = /^\((.+) -> (.+)\) map$/

/** A field value as its datamodel type marshals it. */
export function rpcOfValue(type: string, v: unknown): Rpc {
  const m = MAP_RE.exec(type)
  if (m) {
    const [, kt, vt] = m
    return rStruct(((v ?? []) as Array<[unknown, unknown]>).map(([k, x]) => [keyString(kt!, k), rpcOfValue(vt!, x)]))
  }
  if (type.endsWith(' set')) return { k: 'array', v: ((v ?? []) as unknown[]).map((x) => rpcOfValue(type.slice(0, -4), x)) }
  switch (type) {
    case 'int': return rInt(typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v ?? 0))))
    case 'float': return { k: 'double', v: Number(v ?? 0) }
    case 'bool': return { k: 'bool', v: v === true }
    case 'datetime': return { k: 'datetime', v: String(v ?? '') }
    default: return rString(String(v ?? ''))
  }
}
const keyString = (_t: string, k: unknown) => String(k)

/** Reads an XML-RPC value back into xesim's representation of a field of that type (lenient as xapi's unmarshallers). */
export function valueOfRpc(type: string, r: Rpc): unknown {
  const m = MAP_RE.exec(type)
  if (m) {
    if (r.k !== 'struct') throw new TypeError(`expected a struct for ${type}`)
    return r.v.map(([k, x]) => [m[1] === 'int' ? String(Number(k)) : k, valueOfRpc(m[2]!, x)])
  }
  if (type.endsWith(' set')) {
    if (r.k !== 'array') throw new TypeError(`expected an array for ${type}`)
    return r.v.map((x) => valueOfRpc(type.slice(0, -4), x))
  }
  const scalar = r.k === 'string' || r.k === 'int' || r.k === 'datetime' ? r.v : r.k === 'bool' ? String(r.v) : r.k === 'double' ? String(r.v) : undefined
  switch (type) {
    case 'int': {
      if (scalar === undefined || !/^[+-]?\d+$/.test(scalar.trim())) throw new TypeError(`expected an int, got ${scalar}`)
      return Number(BigInt(scalar.trim()))
    }
    case 'float':
      if (r.k === 'double') return r.v
      if (scalar === undefined || Number.isNaN(Number(scalar))) throw new TypeError(`expected a float, got ${scalar}`)
      return Number(scalar)
    case 'bool':
      if (r.k === 'bool') return r.v
      if (scalar === 'true' || scalar === 'false') return scalar === 'true'
      throw new TypeError(`expected a bool, got ${scalar}`)
    default:
      if (scalar === undefined) throw new TypeError(`expected a string for ${type}`)
      return scalar
  }
}

/** API.rpc_of_<cls>_t: every field of the record, in datamodel order. */
export function rpcOfRecord(cls: ClassName, f: Record<string, unknown>): Rpc {
  return rStruct(fieldsOf(cls).map((d) => [d.name, rpcOfValue(d.type, f[d.name])]))
}

/** <cls>_t_of_rpc: the fields of a struct; a missing field takes the datamodel default (reference sets: []). */
export function recordOfRpc(cls: ClassName, r: Rpc): Record<string, unknown> {
  if (r.k !== 'struct') throw new TypeError(`${cls}: expected a struct`)
  const members = new Map(r.v)
  const out: Record<string, unknown> = {}
  for (const d of fieldsOf(cls)) {
    const v = members.get(d.name)
    out[d.name] = v === undefined ? (d.name === 'uuid' ? '' : defaultValue(d)) : valueOfRpc(d.type, v)
  }
  return out
}

/** Whether a struct has a member (Importexport.vm_has_field). */
export const hasMember = (r: Rpc, name: string) => r.k === 'struct' && r.v.some(([n]) => n === name)
export const member = (r: Rpc, name: string) => (r.k === 'struct' ? r.v.find(([n]) => n === name)?.[1] : undefined)
