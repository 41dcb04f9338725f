// The OCaml Hashtbl order xapi's evacuation plans come out in (src/engine/ocaml-hashtbl.ts). Golden values were
// computed with OCaml 4.13's Hashtbl.hash on `Real of string` (the constructor of xapi's Ref.t) and Hashtbl.iter.
import assert from 'node:assert/strict'
import { hashRef, RefHashtbl } from '../../src/engine/ocaml-hashtbl'

describe('OCaml Hashtbl order for reference keys', () => {
  it('Hashtbl.hash (Real uuid) as OCaml computes it', () => {
    assert.equal(hashRef('OpaqueRef:6c878c4a-2f4c-48de-b28f-f32bbe87c699'), 184621346)
    assert.equal(hashRef('OpaqueRef:a'), 883093936)
    assert.equal(hashRef('OpaqueRef:abcd'), 439877105)
    assert.equal(hashRef('OpaqueRef:abcde'), 521832591)
  })
  it('iteration: buckets in order, the newest key of a bucket first; replace keeps the place', () => {
    const t = new RefHashtbl<number>()
    for (const [i, k] of ['k1', 'k2', 'k3', 'k4', 'k5'].entries()) t.replace(k, i)
    assert.deepEqual(t.entries().map(([k]) => k), ['k4', 'k2', 'k5', 'k1', 'k3'])
    t.replace('k2', 9)
    assert.deepEqual(t.entries().map(([k, v]) => `${k}=${v}`), ['k4=3', 'k2=9', 'k5=4', 'k1=0', 'k3=2'])
    assert.equal(t.has('k3'), true)
    assert.equal(t.has('k6'), false)
  })
})
