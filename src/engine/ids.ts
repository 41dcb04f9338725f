// Identity and time sources, injected into the engine so that a seeded world is reproducible.
import { xapiDate } from './values'

// node:crypto costs ~3 ms to load; read-only commands never need it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = () => require('node:crypto') as typeof import('node:crypto')

export interface Ids {
  uuid(): string
  ref(): string
  /** A number in [0, 1). */
  random(): number
  /** Raw random bytes (MACs, secrets). */
  bytes(n: number): Buffer
}
export interface Clock {
  now(): Date
}

export const cryptoIds: Ids = {
  uuid: () => crypto().randomUUID(),
  ref: () => `OpaqueRef:${crypto().randomUUID()}`,
  random: () => crypto().randomBytes(4).readUInt32BE(0) / 0x100000000,
  bytes: (n) => crypto().randomBytes(n),
}
export const systemClock: Clock = { now: () => new Date() }

/** sfc32: small, fast, good enough for reproducible ids; the state is four 32-bit words. */
export class SeededIds implements Ids {
  private s: Uint32Array
  constructor(state: string | number) {
    if (typeof state === 'number') {
      this.s = new Uint32Array([0x9e3779b9, 0x243f6a88, 0xb7e15162, state >>> 0])
      for (let i = 0; i < 16; i++) this.next()
    } else {
      this.s = new Uint32Array(state.split('.').map((x) => parseInt(x, 16)))
    }
  }
  get state(): string {
    return Array.from(this.s, (x) => x.toString(16)).join('.')
  }
  next(): number {
    const s = this.s
    const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0
    s[3] = (s[3] + 1) >>> 0
    s[0] = s[1] ^ (s[1] >>> 9)
    s[1] = (s[2] + (s[2] << 3)) >>> 0
    s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0
    s[2] = (s[2] + t) >>> 0
    return t
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n)
    for (let i = 0; i < n; i += 4) {
      const v = this.next()
      for (let j = 0; j < 4 && i + j < n; j++) b[i + j] = (v >>> (8 * j)) & 0xff
    }
    return b
  }
  uuid(): string {
    const b = this.bytes(16)
    b[6] = (b[6] & 0x0f) | 0x40
    b[8] = (b[8] & 0x3f) | 0x80
    const h = b.toString('hex')
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }
  ref(): string {
    return `OpaqueRef:${this.uuid()}`
  }
  random(): number {
    return this.next() / 0x100000000
  }
}

/** A clock that moves one second per mutating command: seeded worlds print the same timestamps. */
export class VirtualClock implements Clock {
  constructor(public seconds: number) {}
  now(): Date {
    return new Date(this.seconds * 1000)
  }
}
export const nowString = (c: Clock) => xapiDate(c.now())
