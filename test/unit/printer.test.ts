// xe-cli-behaviour.md §3.2 (record layout) and §3.5 (--minimal).
import assert from 'node:assert/strict'
import { Printer, recordText } from '../../src/cli/printer'
import { makeList } from '../../src/cli/help'

function capture(minimal: boolean) {
  const o = { out: '', err: '' }
  const p = new Printer({ out: (s) => (o.out += s), err: (s) => (o.err += s) }, minimal)
  return { p, o }
}

describe('§3.2 record layout', () => {
  it('pads to 4 + the longest key: first key left-aligned, others right-aligned', () => {
    assert.equal(
      recordText([['uuid ( RO)', 'u1'], ['name-label ( RW)', 'web01'], ['power-state ( RO)', 'running']]),
      'uuid ( RO)           : u1\n     name-label ( RW): web01\n    power-state ( RO): running\n',
    )
  })
  it('ends every record with two empty lines; an empty value keeps the trailing space', () => {
    const { p, o } = capture(false)
    p.table([[['uuid ( RO)', 'a'], ['name-description ( RW)', '']], [['uuid ( RO)', 'b']]])
    assert.equal(o.out, 'uuid ( RO)                : a\n    name-description ( RW): \n\n\nuuid ( RO)    : b\n\n\n')
  })
  it('prints nothing for an empty table and \\n\\n\\n for a record without fields', () => {
    const { p, o } = capture(false)
    p.table([])
    assert.equal(o.out, '')
    p.table([[]])
    assert.equal(o.out, '\n\n\n')
  })
})

describe('§3.5 --minimal', () => {
  it('takes the first field of each record, comma-joined, escaping , and \\', () => {
    const { p, o } = capture(true)
    p.table([[['uuid ( RO)', 'a,b']], [['uuid ( RO)', 'c\\d']]])
    p.flush()
    assert.equal(o.out, 'a\\,b,c\\\\d\n')
  })
  it('drops messages and stderr output, prints "\\n" when there is nothing', () => {
    const { p, o } = capture(true)
    p.msg('hello')
    p.stderr('warning')
    p.flush()
    assert.deepEqual(o, { out: '\n', err: '' })
  })
  it('joins several printer calls in reverse call order', () => {
    const { p, o } = capture(true)
    p.list(['first'])
    p.list(['second', 'third'])
    p.flush()
    assert.equal(o.out, 'second,third,first\n')
  })
  it('skips a table containing an empty record', () => {
    const { p, o } = capture(true)
    p.table([[['uuid ( RO)', 'a']], []])
    p.flush()
    assert.equal(o.out, '\n')
  })
})

describe('§5 make_list wrapping', () => {
  it('indents by 4, joins with ", " and starts a new line when length + next name > 74', () => {
    const a = 'a'.repeat(30)
    const b = 'b'.repeat(30)
    const c = 'c'.repeat(30)
    // "    " + a = 34; 34 + 30 <= 74 so b joins (66); 66 + 30 > 74 so c starts a line
    assert.deepEqual(makeList([a, b, c]), [`    ${a}, ${b}`, `    ${c}`])
    assert.deepEqual(makeList(['x'.repeat(40), 'y'.repeat(30)]), [`    ${'x'.repeat(40)}, ${'y'.repeat(30)}`])
    assert.deepEqual(makeList(['']), ['    '])
  })
})
