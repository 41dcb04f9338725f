// IP address checks as xapi makes them: Helpers.is_valid_ip / assert_is_valid_ip (Unixext.domain_of_addr, i.e.
// OCaml's Unix.inet_addr_of_string = glibc inet_pton, IPv4 first), Helpers.parse_cidr / assert_is_valid_cidr
// (the ocaml-ipaddr Prefix parsers), Xapi_pif.restrict_to (the DNS lists of PIF.reconfigure_ip[v6]) and the
// printing of IPv6 addresses (Ipaddr.V6.to_string / Unix.string_of_inet_addr: RFC 5952 form).
// Re-expressed from xen-api at the reference commit (ocaml/xapi/helpers.ml, xapi_pif.ml).
import { XapiError } from './errors'

/** glibc inet_pton(AF_INET): four decimal octets 0–255, no leading zeros, nothing else. */
export function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.')
  if (parts.length !== 4) return undefined
  const out: number[] = []
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined
    const n = Number(p)
    if (n > 255) return undefined
    out.push(n)
  }
  return out
}

/** glibc inet_pton(AF_INET6): eight 16-bit hex groups, one `::`, an optional trailing dotted quad. */
export function parseIpv6(s: string): number[] | undefined {
  if (s.length === 0) return undefined
  let tail: number[] = []
  let text = s
  const lastColon = s.lastIndexOf(':')
  if (lastColon >= 0 && s.slice(lastColon + 1).includes('.')) {
    const v4 = parseIpv4(s.slice(lastColon + 1))
    if (!v4) return undefined
    tail = [(v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!]
    text = s.slice(0, lastColon + 1)
    // "a::1.2.3.4" leaves "a::"; "a:b:c:d:e:f:1.2.3.4" leaves "...:f:" (drop that one colon)
    if (!text.endsWith('::')) text = text.slice(0, -1)
  }
  const halves = text.split('::')
  if (halves.length > 2) return undefined
  const groups = (h: string): number[] | undefined => {
    if (h === '') return []
    const out: number[] = []
    for (const g of h.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined
      out.push(parseInt(g, 16))
    }
    return out
  }
  const head = groups(halves[0]!)
  if (!head) return undefined
  if (halves.length === 1) {
    const all = [...head, ...tail]
    return all.length === 8 ? all : undefined
  }
  const rest = groups(halves[1]!)
  if (!rest) return undefined
  const given = head.length + rest.length + tail.length
  if (given > 7) return undefined
  return [...head, ...Array<number>(8 - given).fill(0), ...rest, ...tail]
}

/** RFC 5952 text of an IPv6 address: lower-case, no leading zeros, the longest run (≥ 2) of zero groups as `::`. */
export function ipv6ToString(g: number[]): string {
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) {
      best = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':')
  if (best < 0) return hex(g)
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`
}

export type IpKind = 'ipv4' | 'ipv6'

/** Unixext.domain_of_addr: which family Unix.inet_addr_of_string finds (IPv4 is tried first). */
export function addressFamily(s: string): IpKind | undefined {
  if (parseIpv4(s)) return 'ipv4'
  if (parseIpv6(s)) return 'ipv6'
  return undefined
}

/** Helpers.assert_is_valid_ip: INVALID_IP_ADDRESS_SPECIFIED [field]. */
export function assertValidIp(kind: IpKind, field: string, address: string): void {
  if (addressFamily(address) !== kind) throw new XapiError('INVALID_IP_ADDRESS_SPECIFIED', [field])
}

/** Helpers.parse_cidr: "<address>/<prefix length>" → the address as Ipaddr prints it and the length. */
export function parseCidr(kind: IpKind, cidr: string): { address: string; bits: number } | undefined {
  const slash = cidr.indexOf('/')
  if (slash < 0) return undefined
  const addr = cidr.slice(0, slash)
  const len = cidr.slice(slash + 1)
  if (!/^[0-9]{1,3}$/.test(len)) return undefined
  const bits = Number(len)
  if (kind === 'ipv4') {
    const a = parseIpv4(addr)
    return a && bits <= 32 ? { address: a.join('.'), bits } : undefined
  }
  const a = parseIpv6(addr)
  return a && bits <= 128 ? { address: ipv6ToString(a), bits } : undefined
}

/** Helpers.assert_is_valid_cidr: INVALID_CIDR_ADDRESS_SPECIFIED [field]. */
export function assertValidCidr(kind: IpKind, field: string, cidr: string): void {
  if (!parseCidr(kind, cidr)) throw new XapiError('INVALID_CIDR_ADDRESS_SPECIFIED', [field])
}

/** Xapi_pif.restrict_to: the comma-separated entries (empty ones dropped) that are addresses of one family. */
export function restrictTo(kind: IpKind, dns: string): string[] {
  return dns.split(',').filter((a) => a !== '' && addressFamily(a) === kind)
}
