// xe-cli-behaviour.md §1 (argument syntax) and §6 (client options, ~/.xe, XE_EXTRA_ARGS).
import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseClient, parseCommandLine, serverWords, splitExtraArgs } from '../../src/cli/args'
import { SyntaxError_ } from '../../src/cli/failure'

const noHome = { HOME: '/nonexistent-xesim-home' }
const body = (argv: string[], env: NodeJS.ProcessEnv = noHome) => {
  const r = parseClient(argv, env)
  assert.equal(r.kind, 'run')
  return (r as { body: string[] }).body
}

describe('§1.1 client side: connection options are consumed', () => {
  it('drops -s/-p/-u/-pw and their key=value forms, appends username= and password=', () => {
    assert.deepEqual(body(['vm-list', '-s', 'h1', '-u', 'admin', '-pw', 'secret', 'port=80', 'params=uuid']), [
      'vm-list', 'params=uuid', 'username=admin', 'password=secret',
    ])
  })
  it('defaults to root / null', () => {
    assert.deepEqual(body(['vm-list']).slice(-2), ['username=root', 'password=null'])
  })
  it('passes --minimal, --force and unknown switches through in order', () => {
    assert.deepEqual(body(['vm-list', '--minimal', '-x', '--force']).slice(0, 4), ['vm-list', '--minimal', '-x', '--force'])
  })
  it('--help anywhere and no arguments print the usage to stderr (exit 0)', () => {
    for (const argv of [['vm-list', '--help'], [], ['-help']]) {
      const r = parseClient(argv, noHome)
      assert.equal(r.kind, 'usage')
      assert.match((r as { stderr: string }).stderr, /^Usage:\n {2}xe <command>\n/)
      assert.match((r as { stderr: string }).stderr, /A full list of commands can be obtained by running\n {2}xe help -s <server> -p <port>\n$/)
    }
  })
  it('-version anywhere wins', () => {
    assert.equal(parseClient(['vm-list', '-version'], noHome).kind, 'version')
  })
  it('a bad port prints the port error before the usage', () => {
    const r = parseClient(['vm-list', '-p', '99999'], noHome)
    assert.equal(r.kind, 'usage')
    assert.match((r as { stderr: string }).stderr, /^Port number must be an integer \(0-65535\)\nUsage:/)
  })
})

describe('§6 ~/.xe and XE_EXTRA_ARGS', () => {
  it('applies rc keys and appends unknown rc lines as parameters after the command line', () => {
    const home = mkdtempSync(join(tmpdir(), 'xesim-rc-'))
    writeFileSync(join(home, '.xe'), 'server=rc-host\n\nminimal=true\n')
    assert.deepEqual(body(['vm-list', 'uuid=x'], { HOME: home }), ['vm-list', 'uuid=x', 'minimal=true', 'username=root', 'password=null'])
  })
  it('a line without "=" voids the rc file with a warning', () => {
    const home = mkdtempSync(join(tmpdir(), 'xesim-rc-'))
    writeFileSync(join(home, '.xe'), 'minimal=true\nbogus\n')
    const r = parseClient(['vm-list'], { HOME: home })
    assert.equal(r.kind, 'run')
    assert.deepEqual((r as { body: string[] }).body, ['vm-list', 'username=root', 'password=null'])
  })
  it('splits XE_EXTRA_ARGS on unescaped commas and drops backslashes', () => {
    assert.deepEqual(splitExtraArgs('server=a,name-label=x\\,y,,params=uuid'), ['server=a', 'name-label=x,y', 'params=uuid'])
    assert.deepEqual(body(['vm-list'], { ...noHome, XE_EXTRA_ARGS: '-u,bob,params=uuid' }), ['vm-list', 'params=uuid', 'username=bob', 'password=null'])
  })
  it('command-line values win over rc values because lookups take the first occurrence', () => {
    const home = mkdtempSync(join(tmpdir(), 'xesim-rc-'))
    writeFileSync(join(home, '.xe'), 'params=uuid\n')
    assert.deepEqual(body(['vm-list', 'params=name-label'], { HOME: home }).slice(0, 3), ['vm-list', 'params=name-label', 'params=uuid'])
  })
})

describe('§1.2 server side tokenising', () => {
  it('splits key=value at the first "=", keeps bare words with an empty value', () => {
    const { cmd, params } = parseCommandLine(['vm-param-set', 'uuid=a', 'other-config:k=v=w', 'help-word'])
    assert.equal(cmd, 'vm-param-set')
    assert.deepEqual(params, [['uuid', 'a'], ['other-config:k', 'v=w'], ['help-word', '']])
  })
  it('turns --name into (name, true) and maps the two-word switches', () => {
    assert.deepEqual(parseCommandLine(['vm-list', '--minimal', '-u', 'x']).params, [['minimal', 'true'], ['username', 'x']])
  })
  it('rejects a command name containing "=" and unknown single-dash switches', () => {
    assert.throws(() => parseCommandLine(['uuid=x']), SyntaxError_)
    assert.throws(() => parseCommandLine(['vm-list', '-x', 'y']), SyntaxError_)
    assert.throws(() => parseCommandLine(['vm-list', '-u']), SyntaxError_)
  })
  it('a value cannot hold a newline: it becomes two parameters; CRs are dropped', () => {
    assert.deepEqual(serverWords(['vm-list', 'name-label=a\nb=c\r']), ['vm-list', 'name-label=a', 'b=c'])
  })
})
