// IP address checks as xapi makes them (src/engine/ip.ts): glibc inet_pton for Helpers.is_valid_ip (IPv4 first),
// ocaml-ipaddr prefixes for Helpers.parse_cidr, RFC 5952 printing, Xapi_pif.restrict_to for DNS lists.
// Reference: xapi-model.md §12 (PIF.reconfigure_ip), §10 (VIF IP configuration); helpers.ml, xapi_pif.ml.
import assert from 'node:assert/strict'
import { addressFamily, ipv6ToString, parseCidr, parseIpv4, parseIpv6, restrictTo } from '../../src/engine/ip'

describe('engine/ip', () => {
  it('IPv4: four decimal octets 0–255 without leading zeros (inet_pton)', () => {
    assert.deepEqual(parseIpv4('10.0.0.1'), [10, 0, 0, 1])
    assert.deepEqual(parseIpv4('255.255.255.0'), [255, 255, 255, 0])
    for (const bad of ['10.0.0', '10.0.0.256', '10.0.0.01', '10.0.0.1 ', '0x0a.0.0.1', '', '1.2.3.4.5', '-1.0.0.0']) assert.equal(parseIpv4(bad), undefined, bad)
  })

  it('IPv6: groups, one ::, a trailing dotted quad', () => {
    assert.deepEqual(parseIpv6('::1'), [0, 0, 0, 0, 0, 0, 0, 1])
    assert.deepEqual(parseIpv6('2001:DB8::'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0])
    assert.deepEqual(parseIpv6('::ffff:10.0.0.1'), [0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001])
    assert.deepEqual(parseIpv6('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8])
    for (const bad of ['1::2::3', ':1::', '1:2:3:4:5:6:7:8:9', '12345::', 'fe80::1%eth0', '1:2:3:4:5:6:7::8', '']) assert.equal(parseIpv6(bad), undefined, bad)
  })

  it('prints IPv6 as RFC 5952 (the longest run of two or more zero groups is ::)', () => {
    assert.equal(ipv6ToString(parseIpv6('2001:0db8:0000:0000:0001:0000:0000:0001')!), '2001:db8::1:0:0:1')
    assert.equal(ipv6ToString(parseIpv6('2001:db8:0:1:1:1:1:1')!), '2001:db8:0:1:1:1:1:1')
    assert.equal(ipv6ToString(parseIpv6('::')!), '::')
  })

  it('address families, CIDRs and DNS lists', () => {
    assert.equal(addressFamily('10.1.2.3'), 'ipv4')
    assert.equal(addressFamily('fe80::1'), 'ipv6')
    assert.equal(addressFamily('host.example'), undefined)
    assert.deepEqual(parseCidr('ipv4', '10.0.0.5/24'), { address: '10.0.0.5', bits: 24 })
    assert.equal(parseCidr('ipv4', '10.0.0.5/33'), undefined)
    assert.equal(parseCidr('ipv4', '10.0.0.5'), undefined)
    assert.deepEqual(parseCidr('ipv6', '2001:0db8::0001/64'), { address: '2001:db8::1', bits: 64 })
    assert.deepEqual(restrictTo('ipv4', '8.8.8.8,,2001:db8::1,bogus,1.1.1.1'), ['8.8.8.8', '1.1.1.1'])
    assert.deepEqual(restrictTo('ipv6', '8.8.8.8,2001:db8::1'), ['2001:db8::1'])
  })
})
