// The XVA format pieces: XXH64 (the .xxhash files), ocaml-tar's V7 headers, ocaml-rpc's XML-RPC printer and
// parser, stream_vdi.ml's chunk reader, and the thin client's path canonicalisation (xe-cli-behaviour.md §8).
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ByteReader, CHUNK_SIZE, FormatError, InvalidChecksum, PrematureEof, XvaWriter, parseTarHeader, readDisks, readTarHeader, tarHeader, xxh64,
  type DiskSink,
} from '../../src/engine/xva'
import { formatDouble16g, parseXmlRpc, rpcOfValue, rpcToXml, valueOfRpc, XmlRpcParseError, type Rpc } from '../../src/engine/xmlrpc'
import { canonicalize, fpathNormalize } from '../../src/cli/xva'
import { repoRoot } from '../helpers'

const MiB = CHUNK_SIZE
const readerOf = (...bufs: Buffer[]) => new ByteReader((async function* () {
  for (const b of bufs) yield b
})())

describe('XVA format', () => {
  describe('XXH64 (stream_vdi.ml: "%016LX" of XXH64.hash)', () => {
    it('gives the reference values', () => {
      assert.equal(xxh64(Buffer.alloc(0)), 'EF46DB3751D8E999')
      assert.equal(xxh64(Buffer.from('abc')), '44BC2CF5AD770999')
      assert.equal(xxh64(Buffer.alloc(MiB)), '87D2A1B6E1163EF1')
    })

    it('agrees with a straightforward 64-bit implementation on every tail length', () => {
      for (let n = 0; n < 100; n++) {
        const b = randomBytes(n * 7 + (n % 3) * 32)
        assert.equal(xxh64(b), referenceXxh64(b), `length ${b.length}`)
      }
    })

    it('agrees with the zstd program (its frame checksum is the low 32 bits of XXH64)', function () {
      let dir: string
      try {
        execFileSync('zstd', ['--version'], { stdio: 'ignore' })
      } catch {
        return this.skip()
      }
      dir = mkdtempSync(join(tmpdir(), 'xesim-xxh-'))
      try {
        const data = randomBytes(3 * MiB + 17)
        writeFileSync(join(dir, 'd'), data)
        execFileSync('zstd', ['-q', '-f', '-C', join(dir, 'd'), '-o', join(dir, 'd.zst')])
        const z = readFileSync(join(dir, 'd.zst'))
        assert.equal(xxh64(data).slice(8).toLowerCase(), z.readUInt32LE(z.length - 4).toString(16).padStart(8, '0'))
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  })

  describe('tar headers (ocaml-tar 2.x, compatibility level V7)', () => {
    it('are written as Header.make + marshal: 0400, uid/gid 0, octal fields NUL-terminated, no magic, typeflag NUL', () => {
      const h = tarHeader('Ref:12/00000003.xxhash', 16, 0)
      assert.equal(h.length, 512)
      assert.equal(h.toString('latin1', 0, 22), 'Ref:12/00000003.xxhash')
      assert.equal(h.toString('latin1', 100, 108), '0000400\0')
      assert.equal(h.toString('latin1', 108, 124), '0000000\0' + '0000000\0')
      assert.equal(h.toString('latin1', 124, 136), '00000000020\0')
      assert.equal(h.toString('latin1', 136, 148), '00000000000\0')
      let sum = 0
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!
      assert.equal(h.toString('latin1', 148, 156), sum.toString(8).padStart(7, '0') + '\0')
      assert.equal(h[156], 0)
      assert.ok(h.subarray(157).every((x) => x === 0))
      assert.deepEqual(parseTarHeader(h), { name: 'Ref:12/00000003.xxhash', size: 16, mode: 0o400, mtime: 0, type: '\0' })
    })

    it('are read with ustar prefixes and pax paths; a damaged header is Checksum_mismatch; zero blocks end the stream', async () => {
      const h = tarHeader('x', 0)
      h[0] = 0x79
      assert.throws(() => parseTarHeader(h), (e: unknown) => e instanceof FormatError && e.printed === 'Tar.Header.Checksum_mismatch')
      assert.equal(parseTarHeader(Buffer.alloc(512)), undefined)
      const end = readerOf(Buffer.alloc(1024))
      await assert.rejects(readTarHeader(end), (e: unknown) => e instanceof FormatError && e.printed === 'Tar.Header.End_of_stream')
      await assert.rejects(readTarHeader(readerOf(Buffer.alloc(100))), (e: unknown) => e instanceof PrematureEof && e.printed === 'End_of_file')
    })
  })

  describe('XML-RPC (ocaml-rpc Xmlrpc, non-strict)', () => {
    it('prints ints bare, strings escaped (names raw), doubles as %.16g, and empty containers', () => {
      const v: Rpc = {
        k: 'struct', v: [
          ['a<b', { k: 'string', v: 'x<y>&"z\'\u0001\t' }], ['n', { k: 'int', v: '-5' }], ['t', { k: 'bool', v: true }],
          ['d', { k: 'double', v: 0.1 }], ['e', { k: 'array', v: [] }], ['m', { k: 'struct', v: [] }], ['dt', { k: 'datetime', v: '20250101T00:00:00Z' }],
        ],
      }
      assert.equal(rpcToXml(v), '<value><struct><member><name>a<b</name><value>x&lt;y&gt;&amp;&quot;z\'\t</value></member>'
        + '<member><name>n</name><value>-5</value></member><member><name>t</name><value><boolean>1</boolean></value></member>'
        + '<member><name>d</name><value><double>0.1</double></value></member><member><name>e</name><value><array><data></data></array></value></member>'
        + '<member><name>m</name><value><struct></struct></value></member>'
        + '<member><name>dt</name><value><dateTime.iso8601>20250101T00:00:00Z</dateTime.iso8601></value></member></struct></value>')
    })

    it('%.16g as C prints it', () => {
      const cases: Array<[number, string]> = [[1, '1'], [0, '0'], [-0, '-0'], [0.5, '0.5'], [1e16, '1e+16'], [123456789012345680, '1.234567890123457e+17'], [0.0001, '0.0001'], [0.00001, '1e-05'], [1 / 3, '0.3333333333333333'], [2.5e-7, '2.5e-07']]
      for (const [d, s] of cases) assert.equal(formatDouble16g(d), s, String(d))
    })

    it('parses typed and untyped values, whitespace between elements, entities and empty elements', () => {
      const xml = `<?xml version="1.0"?>\n<value>\n  <struct>\n    <member>\n      <name>s</name>\n      <value>a &amp; b</value>\n    </member>\n`
        + '    <member><name>typed</name><value><string>t</string></value></member>\n'
        + '    <member><name>i</name><value><i4>42</i4></value></member><member><name>e</name><value/></member>\n'
        + '    <member><name>arr</name><value><array><data/></array></value></member><member><name>b</name><value><boolean>0</boolean></value></member>\n'
        + '  </struct>\n</value>\n'
      assert.deepEqual(parseXmlRpc(xml), {
        k: 'struct', v: [
          ['s', { k: 'string', v: 'a & b' }], ['typed', { k: 'string', v: 't' }], ['i', { k: 'int', v: '42' }], ['e', { k: 'string', v: '' }],
          ['arr', { k: 'array', v: [] }], ['b', { k: 'bool', v: false }],
        ],
      })
      assert.throws(() => parseXmlRpc('<value><bogus>1</bogus></value>'), (e: unknown) => e instanceof XmlRpcParseError && e.message.startsWith('Xmlrpc.Parse_error("open_tag(bogus)"'))
    })

    it('round-trips field values by datamodel type', () => {
      const cases: Array<[string, unknown]> = [
        ['int', 17179869184], ['float', 1.5], ['bool', true], ['datetime', '20260101T00:00:00Z'], ['string set', ['a', 'b']],
        ['(string -> string) map', [['k', 'v'], ['a', '']]], ['(int -> float) map', [['0', 0.25]]], ['(int -> string set) map', [['1', ['x']]]],
        ['enum vm_power_state', 'Halted'], ['VDI ref', 'Ref:3'], ['int set', [1, 2]],
      ]
      for (const [t, v] of cases) assert.deepEqual(valueOfRpc(t, parseXmlRpc(rpcToXml(rpcOfValue(t, v)))), v, t)
    })

    it('reads the hand-written XenServer fixture', () => {
      const r = parseXmlRpc(readFileSync(join(repoRoot, 'test', 'fixtures', 'xenserver8-debian.ova.xml'), 'utf8'))
      assert.equal(r.k, 'struct')
      assert.equal(rpcToXml(r).length > 30000, true)
    })
  })

  describe('disk chunks (stream_vdi.ml)', () => {
    /** An archive of chunk files for one disk. */
    async function chunks(files: Array<[string, Buffer]>): Promise<ByteReader> {
      const parts: Buffer[] = []
      const w = new XvaWriter({ write: async (b) => void parts.push(b), end: async () => undefined })
      for (const [n, d] of files) await w.member(n, d)
      await w.end()
      return readerOf(Buffer.concat(parts))
    }
    const collect = () => {
      const got: Array<[number, number]> = []
      const sink: DiskSink = { write: async (o, d) => void got.push([o / MiB, d.length]), close: async () => undefined }
      return { got, sink }
    }
    const progress = { advance: async () => undefined }
    const data = (fill: number) => Buffer.alloc(MiB, fill)

    it('gaps in the counter are zero chunks the size of the first chunk; .checksum (SHA-1) files are accepted', async () => {
      const c0 = data(1)
      const c3 = data(2)
      const sha = (b: Buffer) => createHash('sha1').update(b).digest('hex')
      const r = await chunks([['Ref:1/00000000', c0], ['Ref:1/00000000.checksum', Buffer.from(sha(c0))], ['Ref:1/00000003', c3], ['Ref:1/00000003.checksum', Buffer.from(sha(c3))]])
      const { got, sink } = collect()
      const table = await readDisks(r, [{ prefix: 'Ref:1', size: 4 * MiB, sink }], { inlineChecksums: true, force: false, progress })
      assert.deepEqual(got, [[0, MiB], [3, MiB]])
      assert.deepEqual(table, [['Ref:1/00000003', sha(c3)], ['Ref:1/00000000', sha(c0)]])
    })

    it('refuses counters that do not increase, chunks of another disk, unknown checksum files, bad checksums unless forced', async () => {
      const c = data(0)
      const x = Buffer.from(xxh64(c))
      const run = async (files: Array<[string, Buffer]>, force = false) => {
        const { sink } = collect()
        return readDisks(await chunks(files), [{ prefix: 'Ref:1', size: 3 * MiB, sink }], { inlineChecksums: true, force, progress })
      }
      const invalid = (e: unknown) => e instanceof FormatError && e.printed === 'Stream_vdi.Failure("Invalid XVA file")'
      await assert.rejects(run([['Ref:1/00000001', c], ['Ref:1/00000001.xxhash', x], ['Ref:1/00000001', c]]), invalid)
      await assert.rejects(run([['Ref:2/00000000', c], ['Ref:2/00000000.xxhash', x]]), invalid)
      await assert.rejects(run([['Ref:1/00000000', c], ['Ref:1/00000000.md5', x]]), (e: unknown) => e instanceof FormatError && e.printed === 'Stream_vdi.Failure("Found unsupported checksum file: Ref:1/00000000.md5")')
      const wrong = Buffer.from('0000000000000000')
      await assert.rejects(run([['Ref:1/00000000', c], ['Ref:1/00000000.xxhash', wrong], ['Ref:1/00000002', c], ['Ref:1/00000002.xxhash', x]]), (e: unknown) =>
        e instanceof InvalidChecksum && e.printed === 'Stream_vdi.Invalid_checksum("Block Ref:1/00000000 checksum failed: original = 0000000000000000; recomputed = 87D2A1B6E1163EF1")')
      assert.equal((await run([['Ref:1/00000000', c], ['Ref:1/00000000.xxhash', wrong], ['Ref:1/00000002', c], ['Ref:1/00000002.xxhash', x]], true)).length, 2)
    })
  })

  describe('the client\'s file names (newcli.ml canonicalize, Fpath.normalize)', () => {
    it('relative names join the working directory; . and .. resolve; directoryness stays', () => {
      assert.equal(canonicalize('/home/u', 'a.xva'), '/home/u/a.xva')
      assert.equal(canonicalize('/home/u', './a.xva'), '/home/u/a.xva')
      assert.equal(canonicalize('/home/u', '../v/a.xva'), '/home/v/a.xva')
      assert.equal(canonicalize('/home/u', '/tmp//x/'), '/tmp/x/')
      assert.equal(canonicalize('/home/u', '.'), '/home/u/')
      assert.equal(canonicalize('/', '../../a'), '/a')
      assert.equal(fpathNormalize('a/..'), './')
      assert.equal(fpathNormalize('//srv/x'), '//srv/x')
    })
  })
})

/** XXH64 written the obvious way on BigInt, to check the 32-bit-halves implementation. */
function referenceXxh64(b: Buffer): string {
  const M = (1n << 64n) - 1n
  const [P1, P2, P3, P4, P5] = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n]
  const rotl = (x: bigint, r: number) => ((x << BigInt(r)) | (x >> BigInt(64 - r))) & M
  const round = (a: bigint, i: bigint) => (rotl((a + i * P2) & M, 31) * P1) & M
  const merge = (a: bigint, v: bigint) => (((a ^ round(0n, v)) * P1 + P4) & M)
  const n = b.length
  let p = 0
  let h: bigint
  if (n >= 32) {
    let [v1, v2, v3, v4] = [(P1 + P2) & M, P2, 0n, (0n - P1) & M]
    for (; p <= n - 32; p += 32) {
      v1 = round(v1, b.readBigUInt64LE(p))
      v2 = round(v2, b.readBigUInt64LE(p + 8))
      v3 = round(v3, b.readBigUInt64LE(p + 16))
      v4 = round(v4, b.readBigUInt64LE(p + 24))
    }
    h = (rotl(v1, 1) + rotl(v2, 7) + rotl(v3, 12) + rotl(v4, 18)) & M
    for (const v of [v1, v2, v3, v4]) h = merge(h, v)
  } else h = P5
  h = (h + BigInt(n)) & M
  for (; p + 8 <= n; p += 8) h = (rotl(h ^ round(0n, b.readBigUInt64LE(p)), 27) * P1 + P4) & M
  if (p + 4 <= n) {
    h = (rotl(h ^ ((BigInt(b.readUInt32LE(p)) * P1) & M), 23) * P2 + P3) & M
    p += 4
  }
  for (; p < n; p++) h = (rotl(h ^ ((BigInt(b[p]!) * P5) & M), 11) * P1) & M
  h ^= h >> 33n
  h = (h * P2) & M
  h ^= h >> 29n
  h = (h * P3) & M
  h ^= h >> 32n
  return h.toString(16).toUpperCase().padStart(16, '0')
}
