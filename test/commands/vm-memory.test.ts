// VM memory and VCPU verbs and the VM param-set setters wired to the same API calls: vm-memory-set,
// vm-memory-limits-set, vm-memory-static-range-set, vm-memory-dynamic-range-set, vm-memory-target-set,
// vm-memory-target-wait, vm-vcpu-hotplug, vm-compute-maximum-memory, vm-compute-memory-overhead; memory-*,
// VCPUs-* and HVM-shadow-multiplier in vm-param-set. References: xapi-model.md §4 (setter ↔ operation), §5.1
// (constraints), §5.2 (overhead), §5.3 (free memory); xe-cli-behaviour.md §4 (errors), §3.5 (--minimal).
import assert from 'node:assert/strict'
import { cleanupHomes, xe } from '../helpers'
import { GiB, MiB, inWorld, installVms, seededWorld } from '../vm-fixtures'
import { computeFreeMemory } from '../../src/engine/host'
import { mapSet } from '../../src/engine/values'

const BAD_POWER =
  "You attempted an operation on a VM that was not in an appropriate power state at the time; for example, you attempted to start a VM that was already running. The parameters returned are the VM's handle, and the expected and actual VM state at the time of the call.\n"
const badPower = (uuid: string, name: string, expected: string, actual: string) => ({
  stdout: '', stderr: `${BAD_POWER}vm: ${uuid} (${name})\nexpected: ${expected}\nactual: ${actual}\n`, code: 1,
})
const fail = (stderr: string) => ({ stdout: '', stderr, code: 1 })
const ok = { stdout: '', stderr: '', code: 0 }
const ORDER = 'The dynamic memory range violates constraint static_min <= dynamic_min <= dynamic_max <= static_max.\n'
const maxpin = (reason: string) => fail(`The dynamic memory range violates constraint static_min = dynamic_min = dynamic_max = static_max.\nreason: ${reason}\n`)
const invalid = (field: string, value: string) => fail(`The value given is invalid\nfield: ${field}\nvalue: ${value}\n`)
const notAllowed = (reason: string) => fail(`You attempted an operation that was not allowed.\nreason: ${reason}\n`)
const VCPU_RULE = 'VCPU values must satisfy: 0 < VCPUs_at_startup ≤ VCPUs_max'

describe('VM memory and VCPUs (xapi-model.md §5)', () => {
  after(cleanupHomes)
  let home: string
  let vm: string
  let dom0: string
  const get = async (param: string, uuid = vm) => (await xe(home, ['vm-param-get', `uuid=${uuid}`, `param-name=${param}`])).stdout.replace(/\n$/, '')

  beforeEach(async () => {
    home = await seededWorld(12)
    ;[vm] = await installVms(home, { name: 'app', vcpus: 2 })
    dom0 = (await xe(home, ['vm-list', 'is-control-domain=true', '--minimal'])).stdout.trim()
  })

  describe('vm-memory-set / vm-memory-limits-set / vm-memory-static-range-set (§5.1)', () => {
    it('vm-memory-set pins static-max, dynamic-min/max (and the target) at the value; the overhead follows (§5.2)', async () => {
      assert.deepEqual(await xe(home, ['vm-memory-set', 'vm=app', 'memory=4GiB']), ok)
      for (const f of ['memory-static-max', 'memory-dynamic-max', 'memory-dynamic-min']) assert.equal(await get(f), String(4 * GiB), f)
      assert.equal(await get('memory-static-min'), String(GiB))
      // HVM, 2 vCPUs, 4096 MiB: 1 + 1 + ceil((512 + 8192) / 256) = 34 shadow + ceil(76 / 256) = 1 → 37 MiB
      assert.equal(await get('memory-overhead'), String(37 * MiB))
      assert.deepEqual(await xe(home, ['vm-compute-memory-overhead', 'vm=app']), { stdout: `${37 * MiB}\n`, stderr: '', code: 0 })
    })

    it('sizes are parsed as Record_util.bytes_of_string (§4); required parameters are checked first', async () => {
      assert.deepEqual(
        await xe(home, ['vm-memory-set', 'vm=app', 'memory=lots']),
        fail("Error: Failed to parse field 'memory': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'lots'\n"),
      )
      assert.deepEqual(await xe(home, ['vm-memory-set', 'vm=app']), fail("Required parameter not found: memory\nFor usage run: 'xe help'\n"))
      assert.deepEqual(
        await xe(home, ['vm-memory-limits-set', 'vm=app', 'static-min=1', 'static-max=x', 'dynamic-min=y', 'dynamic-max=1']),
        fail("Error: Failed to parse field 'static-max': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'x'\n"),
      )
    })

    it('limits out of order: MEMORY_CONSTRAINT_VIOLATION_ORDER; valid ones are stored with target = dynamic-min', async () => {
      assert.deepEqual(await xe(home, ['vm-memory-limits-set', 'vm=app', 'static-min=1GiB', 'static-max=4GiB', 'dynamic-min=3GiB', 'dynamic-max=2GiB']), fail(ORDER))
      assert.deepEqual(await xe(home, ['vm-memory-limits-set', 'vm=app', 'static-min=512MiB', 'static-max=4GiB', 'dynamic-min=1GiB', 'dynamic-max=3GiB']), ok)
      assert.equal(await get('memory-static-min'), String(512 * MiB))
      assert.equal(await get('memory-dynamic-min'), String(GiB))
      assert.equal(await get('memory-dynamic-max'), String(3 * GiB))
      assert.equal(await get('memory-static-max'), String(4 * GiB))
      assert.deepEqual(await xe(home, ['vm-memory-static-range-set', 'vm=app', 'min=2GiB', 'max=4GiB']), fail(ORDER))
      assert.deepEqual(await xe(home, ['vm-memory-static-range-set', 'vm=app', 'min=256MiB', 'max=8GiB']), ok)
      assert.equal(await get('memory-static-max'), String(8 * GiB))
    })

    it('these need a halted VM (§4: changing_memory_limits / changing_static_range); templates are selectable', async () => {
      await xe(home, ['vm-start', 'vm=app'])
      assert.deepEqual(await xe(home, ['vm-memory-set', 'vm=app', 'memory=4GiB']), badPower(vm, 'app', 'halted', 'running'))
      assert.deepEqual(await xe(home, ['vm-memory-static-range-set', 'vm=app', 'min=1GiB', 'max=4GiB']), badPower(vm, 'app', 'halted', 'running'))
      assert.deepEqual(await xe(home, ['vm-memory-set', 'vm=CentOS Stream 9', 'memory=4GiB']), ok)
      const tpl = (await xe(home, ['template-list', 'name-label=CentOS Stream 9', '--minimal'])).stdout.trim()
      assert.equal(await get('memory-static-max', tpl), String(4 * GiB))
    })

    it('control domains keep dynamic = static max (MAXPIN "control domain") and need a reboot afterwards', async () => {
      const smin = Number(await get('memory-static-min', dom0))
      assert.deepEqual(await xe(home, ['vm-memory-set', `uuid=${dom0}`, `memory=${smin - MiB}`]), maxpin('control domain'))
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', `uuid=${dom0}`, `min=${smin}`, `max=${smin + GiB}`]), maxpin('control domain'))
      assert.equal(await get('requires-reboot', dom0), 'false')
      assert.deepEqual(await xe(home, ['vm-memory-set', `uuid=${dom0}`, `memory=${smin + GiB}`]), ok)
      assert.equal(await get('memory-static-max', dom0), String(smin + GiB))
      assert.equal(await get('requires-reboot', dom0), 'true')
    })

    it('without the DMC licence feature every VM is pinned (MAXPIN "DMC disabled")', async () => {
      await inWorld(home, (db) => {
        const pool = db.all('pool')[0]!
        db.set(pool, { restrictions: mapSet(pool.f.restrictions, 'restrict_dmc', 'true') })
      })
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=1GiB', 'max=2GiB']), maxpin('DMC disabled'))
      assert.deepEqual(await xe(home, ['vm-memory-set', 'vm=app', 'memory=3GiB']), ok)
    })
  })

  describe('vm-memory-dynamic-range-set / vm-memory-target-set / vm-memory-target-wait (§5.1)', () => {
    it('halted: stored with target = min; running: the balloon follows (memory-target, memory-actual)', async () => {
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=1GiB', 'max=2GiB']), ok)
      assert.equal(await get('memory-dynamic-min'), String(GiB))
      await xe(home, ['vm-start', 'vm=app'])
      assert.equal(await get('memory-target'), String(2 * GiB))
      assert.deepEqual(await xe(home, ['vm-memory-target-set', 'vm=app', 'target=1536MiB']), ok)
      assert.equal(await get('memory-dynamic-min'), String(1536 * MiB))
      assert.equal(await get('memory-dynamic-max'), String(1536 * MiB))
      assert.equal(await get('memory-target'), String(1536 * MiB))
      assert.equal(await get('memory-actual'), String(1536 * MiB))
      assert.deepEqual(await xe(home, ['vm-memory-target-wait', 'vm=app']), ok)
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=3GiB', 'max=2GiB']), fail(ORDER))
    })

    it('a running VM\'s larger dynamic-min must fit the host: HOST_NOT_ENOUGH_FREE_MEMORY [KiB, KiB]', async () => {
      await xe(home, ['vm-memory-limits-set', 'vm=app', 'static-min=1GiB', 'static-max=100GiB', 'dynamic-min=2GiB', 'dynamic-max=2GiB'])
      await xe(home, ['vm-start', 'vm=app'])
      const free = await inWorld(home, (db) => computeFreeMemory(db, db.all('host')[0]!))
      assert.deepEqual(
        await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=90GiB', 'max=100GiB']),
        fail(`Not enough server memory is available to perform this operation.\nneeded: ${(88 * GiB) / 1024}\navailable: ${free / 1024}\n`),
      )
      // more room above dynamic-min is only ballooned into as far as the host has it
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=2GiB', 'max=100GiB']), ok)
      assert.equal(await get('memory-target'), String(2 * GiB + free))
    })

    it('power states: dynamic range needs halted or running, the wait needs running (§4)', async () => {
      assert.deepEqual(await xe(home, ['vm-memory-target-wait', 'vm=app']), badPower(vm, 'app', 'running', 'halted'))
      await xe(home, ['vm-start', 'vm=app'])
      await xe(home, ['vm-suspend', 'vm=app'])
      assert.deepEqual(await xe(home, ['vm-memory-dynamic-range-set', 'vm=app', 'min=1GiB', 'max=2GiB']), badPower(vm, 'app', 'halted, running', 'suspended'))
      assert.deepEqual(await xe(home, ['vm-memory-target-set', 'vm=app', 'target=1GiB']), badPower(vm, 'app', 'halted, running', 'suspended'))
    })
  })

  describe('vm-vcpu-hotplug (§4: changing_VCPUs_live)', () => {
    beforeEach(async () => {
      await xe(home, ['vm-param-set', 'uuid=' + vm, 'VCPUs-max=4'])
    })

    it('sets the running VM\'s vCPUs (VCPUs-at-startup and VCPUs-number follow); 1 ≤ n ≤ VCPUs-max', async () => {
      assert.deepEqual(await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=3']), badPower(vm, 'app', 'running', 'halted'))
      await xe(home, ['vm-start', 'vm=app'])
      assert.equal(await get('VCPUs-number'), '2')
      assert.deepEqual(await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=3']), ok)
      assert.equal(await get('VCPUs-at-startup'), '3')
      assert.equal(await get('VCPUs-number'), '3')
      assert.deepEqual(await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=5']), invalid('VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max', '4'))
      assert.deepEqual(await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=0']), invalid('VCPU values must satisfy: 0 < VCPUs ≤ VCPUs_max', '4'))
      assert.deepEqual(await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=three']), fail("Error: Failed to parse parameter 'new-vcpus': expecting an integer\n"))
    })

    it('needs the Live_set_vcpus licence feature', async () => {
      await xe(home, ['vm-start', 'vm=app'])
      await inWorld(home, (db) => {
        const pool = db.all('pool')[0]!
        db.set(pool, { restrictions: mapSet(pool.f.restrictions, 'restrict_set_vcpus_number_live', 'true') })
      })
      assert.deepEqual(
        await xe(home, ['vm-vcpu-hotplug', 'vm=app', 'new-vcpus=3']),
        fail('This operation is not allowed because your license lacks a needed feature. Please contact your support representative.\nfeature: Live_set_vcpus\n'),
      )
    })
  })

  describe('vm-compute-maximum-memory / vm-compute-memory-overhead (§5.2)', () => {
    it('the largest static-max whose footprint fits in total, rounded down to a MiB (64 vCPUs when approximate)', async () => {
      // 2 vCPUs: k + 2 + (2 + ceil(k / 128)) + 1 ≤ 8192 MiB → k = 8123
      assert.deepEqual(await xe(home, ['vm-compute-maximum-memory', 'vm=app', 'total=8GiB']), { stdout: `${8123 * MiB}\n`, stderr: '', code: 0 })
      // 64 vCPUs: k + 2 + (64 + ceil(k / 128)) + 10 ≤ 8192 MiB → k = 8053
      assert.deepEqual(await xe(home, ['vm-compute-maximum-memory', 'vm=app', 'total=8GiB', 'approximate=true']), { stdout: `${8053 * MiB}\n`, stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['vm-compute-maximum-memory', 'vm=app', 'total=8GiB', '--minimal']), { stdout: `${8123 * MiB}\n`, stderr: '', code: 0 })
      assert.deepEqual(
        await xe(home, ['vm-compute-maximum-memory', 'vm=app', 'total=big']),
        fail("Error: Failed to parse field 'total': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'big'\n"),
      )
    })

    it('the overhead is printed as a message (nothing with --minimal); control domains are selectable', async () => {
      assert.deepEqual(await xe(home, ['vm-compute-memory-overhead', 'vm=app']), { stdout: `${21 * MiB}\n`, stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['vm-compute-memory-overhead', 'vm=app', '--minimal']), { stdout: '\n', stderr: '', code: 0 })
      assert.deepEqual(await xe(home, ['vm-compute-memory-overhead', `uuid=${dom0}`]), { stdout: `${await get('memory-overhead', dom0)}\n`, stderr: '', code: 0 })
    })
  })

  describe('vm-param-set memory-*, VCPUs-*, HVM-shadow-multiplier (records.ml → the API setters)', () => {
    const set = (...kv: string[]) => xe(home, ['vm-param-set', `uuid=${vm}`, ...kv])

    it('memory-static-*: changing_static_range with the §5.1 constraints; the overhead follows', async () => {
      assert.deepEqual(await set('memory-static-max=4GiB'), ok)
      assert.equal(await get('memory-overhead'), String(37 * MiB))
      assert.deepEqual(await set('memory-static-min=3GiB'), fail(ORDER))
      assert.deepEqual(await set('memory-static-max=1GiB'), fail(ORDER))
      assert.deepEqual(
        await set('memory-static-max=foo'),
        fail("Error: Failed to parse field 'memory-static-max': expecting an integer (possibly with suffix KiB, MiB, GiB, TiB), got 'foo'\n"),
      )
      await xe(home, ['vm-start', 'vm=app'])
      assert.deepEqual(await set('memory-static-max=8GiB'), badPower(vm, 'app', 'halted', 'running'))
    })

    it('memory-dynamic-*: changing_dynamic_range, also on a running VM (the balloon follows)', async () => {
      await set('memory-static-max=4GiB')
      await xe(home, ['vm-start', 'vm=app'])
      assert.deepEqual(await set('memory-dynamic-max=3GiB'), ok)
      assert.equal(await get('memory-target'), String(3 * GiB))
      assert.deepEqual(await set('memory-dynamic-min=3584MiB'), fail(ORDER))
      assert.deepEqual(await set('memory-dynamic-min=1GiB'), ok)
      assert.equal(await get('memory-dynamic-min'), String(GiB))
    })

    it('VCPUs-max / VCPUs-at-startup: 0 < VCPUs-at-startup ≤ VCPUs-max (INVALID_VALUE [rule, value])', async () => {
      assert.deepEqual(await set('VCPUs-at-startup=3'), invalid(VCPU_RULE, '3'))
      assert.deepEqual(await set('VCPUs-at-startup=0'), invalid(VCPU_RULE, '0'))
      assert.deepEqual(await set('VCPUs-max=1'), invalid(VCPU_RULE, '1'))
      assert.deepEqual(await set('VCPUs-max=x'), fail("Error: Failed to parse parameter 'VCPUs-max': expecting an integer\n"))
      assert.deepEqual(await set('VCPUs-max=8', 'VCPUs-at-startup=6'), ok)
      assert.equal(await get('VCPUs-at-startup'), '6')
      // HVM, 8 vCPUs, 2048 MiB: 2 + ceil((2048 + 4096) / 256) = 24 + ceil(304 / 256) = 2 → 28 MiB
      assert.equal(await get('memory-overhead'), String(28 * MiB))
      await xe(home, ['vm-start', 'vm=app'])
      assert.deepEqual(await set('VCPUs-max=4'), badPower(vm, 'app', 'halted', 'running'))
      // VCPUs-at-startup takes no operation lock
      assert.deepEqual(await set('VCPUs-at-startup=2'), ok)
    })

    it('vm-start checks the VCPU values (validate_basic_parameters: VALUE_NOT_SUPPORTED, INVALID_VALUE)', async () => {
      await inWorld(home, (db) => db.set(db.byUuid('VM', vm)!, { VCPUs_at_startup: 3 }))
      assert.deepEqual(
        await xe(home, ['vm-start', 'vm=app', 'on=xenserver-01']),
        fail('You attempted to set a value that is not supported by this implementation. The fully-qualified field name and the value that you tried to set are returned. Also returned is a developer-only diagnostic reason.\nfield: VCPUs-at-startup\nvalue: 3\nreason: value greater than VCPUs-max\n'),
      )
      await inWorld(home, (db) => db.set(db.byUuid('VM', vm)!, { VCPUs_at_startup: 0 }))
      assert.deepEqual(await xe(home, ['vm-start', 'vm=app', 'on=xenserver-01']), invalid('VCPUs-at-startup', '0'))
    })

    it('dom0: VCPUs-max is changing_VCPUs (refused on dom0), VCPUs-at-startup is refused outright', async () => {
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${dom0}`, 'VCPUs-max=2']), notAllowed('This operation is not allowed on dom0'))
      assert.deepEqual(await xe(home, ['vm-param-set', `uuid=${dom0}`, 'VCPUs-at-startup=2']), notAllowed('set_VCPUs_at_startup is not allowed on dom0'))
    })

    it('HVM-shadow-multiplier: at least 1 (INVALID_VALUE ["multiplier", v]); the overhead follows', async () => {
      assert.deepEqual(await set('HVM-shadow-multiplier=0.5'), invalid('multiplier', '0.5'))
      assert.deepEqual(await set('HVM-shadow-multiplier=x'), fail('Error: Parameter HVM-shadow-multiplier must be a floating-point number\n'))
      assert.deepEqual(await set('HVM-shadow-multiplier=2'), ok)
      assert.equal(await get('HVM-shadow-multiplier'), '2.000')
      // 2 vCPUs, 2048 MiB: shadow ceil((512 + 4096) / 256) = 18 MiB × 2 = 36 → 2 + 36 + 1
      assert.equal(await get('memory-overhead'), String(39 * MiB))
    })
  })
})
