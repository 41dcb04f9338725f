// <vm-selectors>, <host-selectors>, <sr-selectors>: xe-cli-behaviour.md §2.2 (pseudo-fields, default
// filters, --multiple, the exact messages) and §4 (Multiple_failure lines on stdout).
import assert from 'node:assert/strict'
import { withWorld } from '../../src/engine/world'
import { XapiError } from '../../src/engine/errors'
import { Params } from '../../src/cli/params'
import { Printer } from '../../src/cli/printer'
import { doOp } from '../../src/cli/selectors'
import { renderError } from '../../src/cli/errors'
import type { XeContext } from '../../src/cli/context'
import type { Param } from '../../src/cli/args'
import { cleanupHomes, seededHome } from '../helpers'

describe('selectors (§2.2)', () => {
  let home: string
  before(async () => {
    home = await seededHome(3)
  })
  after(cleanupHomes)

  /** Runs fn with a context whose parameters are `params`, in a read transaction of the world. */
  const withCtx = <T>(params: Param[], fn: (ctx: XeContext) => T) =>
    withWorld(home, false, (session) => {
      const ctx: XeContext = {
        name: 'test', params: new Params(params), db: session.db, session, home, spec: { name: 'test', reqd: [], optn: [], flags: [] },
        out: new Printer({ out: () => {}, err: () => {} }, false), io: { env: {}, cwd: '/', readLine: async () => undefined },
      }
      return fn(ctx)
    })
  const names = (ctx: XeContext, kind: 'vm' | 'host' | 'sr', o: Parameters<typeof doOp>[3] = {}) =>
    doOp(ctx, kind, (r) => (r.obj.f as { name_label: string }).name_label, o)

  it('VMs: templates and control domains are left out by default', async () => {
    await assert.rejects(withCtx([], (ctx) => names(ctx, 'vm')), { message: 'No matching VMs found' })
    const dom0 = await withCtx([], (ctx) => names(ctx, 'vm', { dom0: true }))
    assert.equal(dom0.length, 1)
    assert.match(dom0[0]!, /^Control domain on host: /)
  })

  it('vm= matches the name-label or the uuid; other keys filter like <class>-list', async () => {
    const one = await withCtx([['vm', 'Debian Bookworm 12']], (ctx) => names(ctx, 'vm', { templates: true }))
    assert.deepEqual(one, ['Debian Bookworm 12'])
    const byUuid = await withCtx([['vm', '07d91aaa-43f7-430a-bf84-0edb6714df0f']], (ctx) => names(ctx, 'vm', { templates: true }))
    assert.deepEqual(byUuid, ['Debian Bookworm 12'])
    const filtered = await withCtx([['name-label', 'Windows 11'], ['force', 'true'], ['on', 'x']], (ctx) => names(ctx, 'vm', { templates: true, ignore: ['on'] }))
    assert.deepEqual(filtered, ['Windows 11'])
  })

  it('several matches need --multiple, or are refused for single-object commands', async () => {
    await assert.rejects(withCtx([], (ctx) => names(ctx, 'vm', { templates: true })), { message: 'Multiple matches VMs found. --multiple required to complete the operation' })
    await assert.rejects(withCtx([['multiple', 'true']], (ctx) => names(ctx, 'vm', { templates: true, multiple: false })), {
      message: 'Multiple matches VMs found. Operation can only be performed on one VM at a time',
    })
    const all = await withCtx([['multiple', 'true']], (ctx) => names(ctx, 'vm', { templates: true }))
    assert.equal(all.length, 29)
  })

  it('an unknown filter key is "Unknown field"; keys the command ignores are not filters', async () => {
    await assert.rejects(withCtx([['colour', 'red']], (ctx) => names(ctx, 'vm', { templates: true })), { message: "Unknown field 'colour'" })
    await assert.rejects(withCtx([['params', 'uuid']], (ctx) => names(ctx, 'vm', { templates: true })), { message: "Unknown field 'params'" })
  })

  it('uuid= and vm= found through the store index pick what a scan would, unknown keys still fail as in a scan', async () => {
    const t = '07d91aaa-43f7-430a-bf84-0edb6714df0f'
    // the template by uuid: left out by the default filter, kept with templates
    await assert.rejects(withCtx([['uuid', t]], (ctx) => names(ctx, 'vm')), { message: 'No matching VMs found' })
    assert.deepEqual(await withCtx([['uuid', t], ['name-label', 'Debian Bookworm 12']], (ctx) => names(ctx, 'vm', { templates: true })), ['Debian Bookworm 12'])
    assert.deepEqual(await withCtx([['uuid', t], ['name-label', 'other']], (ctx) => names(ctx, 'vm', { templates: true })).catch((e: Error) => e.message), 'No matching VMs found')
    // an unknown key after a uuid that matches nothing is never reached (no record left); before it, it fails
    await assert.rejects(withCtx([['uuid', 'no-such'], ['colour', 'red']], (ctx) => names(ctx, 'vm', { templates: true })), { message: 'No matching VMs found' })
    await assert.rejects(withCtx([['colour', 'red'], ['uuid', 'no-such']], (ctx) => names(ctx, 'vm', { templates: true })), { message: "Unknown field 'colour'" })
    // vm= goes first: nothing named so leaves no record for the unknown key
    await assert.rejects(withCtx([['vm', 'nope'], ['colour', 'red']], (ctx) => names(ctx, 'vm', { templates: true })), { message: 'No matching VMs found' })
    await assert.rejects(withCtx([['vm', 'Debian Bookworm 12'], ['colour', 'red']], (ctx) => names(ctx, 'vm', { templates: true })), { message: "Unknown field 'colour'" })
    // a set filter with a bad form fails while records remain
    await assert.rejects(withCtx([['vm', 'Debian Bookworm 12'], ['tags:has', 'x']], (ctx) => names(ctx, 'vm', { templates: true })), {
      message: 'Invalid syntax for set filtering (should be set-param:contains=key)',
    })
  })

  it('hosts: host= matches uuid, hostname or name-label', async () => {
    assert.deepEqual(await withCtx([['host', 'xenserver-01']], (ctx) => names(ctx, 'host')), ['xenserver-01'])
    await assert.rejects(withCtx([['host', 'nope']], (ctx) => names(ctx, 'host')), { message: 'No matching hosts found' })
  })

  it('SRs: sr= matches uuid or name-label; no match says "hosts" (sic, as xe)', async () => {
    assert.deepEqual(await withCtx([['sr', 'Local storage']], (ctx) => names(ctx, 'sr')), ['Local storage'])
    await assert.rejects(withCtx([], (ctx) => names(ctx, 'sr')), { message: 'Multiple matching SRs found. --multiple required to complete the operation' })
    await assert.rejects(withCtx([['sr', 'nope']], (ctx) => names(ctx, 'sr')), { message: 'No matching hosts found' })
    await assert.rejects(withCtx([['multiple', 'true']], (ctx) => names(ctx, 'sr', { multiple: false })), {
      message: 'Multiple matching SRs found. Operation can only be performed on one SR at a time',
    })
  })

  it('--multiple tries every object and reports each failure on stdout, the last first (§2.2, §4)', async () => {
    const rendered = await withCtx([['multiple', 'true']], (ctx) => {
      try {
        doOp(ctx, 'sr', (r) => {
          if ((r.obj.f as { type: string }).type === 'udev') throw new XapiError('SR_OPERATION_NOT_SUPPORTED', [r.obj.ref])
          return r.obj.ref
        })
        return undefined
      } catch (e) {
        return { out: renderError(e, ctx.db), srs: ctx.db.all('SR') }
      }
    })
    assert.ok(rendered)
    const udev = rendered.srs.filter((s) => s.f.type === 'udev').reverse()
    const expected = udev.map((s) => `operation failed on ${s.f.uuid}: The SR backend does not support the operation (check the SR's allowed operations)\nsr: ${s.f.uuid} (${s.f.name_label})\n`).join('')
    assert.deepEqual(rendered.out, { stdout: expected, stderr: '', code: 1 })
  })
})
