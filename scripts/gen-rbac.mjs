#!/usr/bin/env node
// Transcribes xapi's static RBAC table into src/tables/rbac.json (committed; the build never runs this).
//
//   node scripts/gen-rbac.mjs <rbac_static.csv> [<xapi-datamodel.json>]
//
// Input: rbac_static.csv, the permission/role matrix xapi's code generator writes beside rbac_static.ml
// (`gen_api_main.exe rbac --gen-debug --filter-internal --filter closed`, ocaml/xapi/dune; shipped in the
// xapi-debug package), at the reference commit e2ee48d6. Its first line is a timestamp and the role columns
// in Datamodel_roles.ordered order; then one line `,<permission>,<X or empty per role>,` per permission:
// every API call name (Class.message, the client-side messages incl. implicit getters/setters and hidden
// ones), every keyed setter (`<call>/key:<key>`), every HTTP action (`http/<action>[/<sub-action>]`) and
// the extra permissions (`task.destroy/any`), in the reverse of the order gen_rbac.ml met them.
//
// What is derived here, following gen_rbac.ml:
//  * processing order = the CSV lines reversed. Permissions granted to no role (local root only) are
//    dropped: xapi's get_all serves Rbac_static.all_static_permissions = pool-admin's permissions.
//  * each permission keeps its role set as a bit mask over the CSV columns (bit i = column i);
//    a composite role's subroles are the permissions having its bit, in processing order.
//  * the order of the composite roles (Rbac_static.all_static_roles, hence `xe role-list`): gen_rbac's
//    list moves a role to its front each time a permission is added to it, then is reversed, so the
//    roles come in increasing order of the last permission that touched them (ties: column order,
//    which is the order the datamodel lists the roles of a message in).
// With a datamodel JSON as second argument (default ../shared/reference/xapi-datamodel.json when present),
// the roles of every message it lists are compared with the CSV and the differences are reported.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const csvFile = process.argv[2]
if (!csvFile) {
  console.error('usage: node scripts/gen-rbac.mjs <rbac_static.csv> [<xapi-datamodel.json>]')
  process.exit(2)
}
const lines = fs.readFileSync(csvFile, 'utf8').split('\n').filter((l) => l !== '')
const header = lines[0].split(',')
if (header[1] !== 'PERMISSION/ROLE') throw new Error(`${csvFile}: not an rbac_static.csv`)
const columns = header.slice(2).filter((r) => r !== '')
const processing = lines
  .slice(1)
  .map((l) => {
    const cells = l.split(',')
    if (cells.length !== columns.length + 3) throw new Error(`bad line: ${l}`)
    let mask = 0
    columns.forEach((_, i) => {
      if (cells[2 + i] === 'X') mask |= 1 << i
    })
    return { name: cells[1], mask }
  })
  .reverse()

// the composite roles, ordered by the last permission that touched them
const lastTouch = columns.map((_, i) => {
  let last = -1
  processing.forEach((p, j) => {
    if (p.mask & (1 << i)) last = j
  })
  return last
})
const roles = columns.map((name, i) => ({ name, i })).sort((a, b) => lastTouch[a.i] - lastTouch[b.i] || a.i - b.i).map((r) => r.name)

// granted permissions, grouped by runs of a common prefix (up to the first '.' or '/')
const granted = processing.filter((p) => p.mask !== 0)
const groups = []
for (const p of granted) {
  const cut = p.name.search(/[./]/) + 1
  const prefix = p.name.slice(0, cut)
  const last = groups[groups.length - 1]
  if (last && last[0] === prefix) last[1].push(p.name.slice(cut), p.mask)
  else groups.push([prefix, [p.name.slice(cut), p.mask]])
}

const out = {
  source: 'xen-api e2ee48d6 rbac_static.csv (gen_rbac.ml); regenerate with scripts/gen-rbac.mjs',
  columns,
  roles,
  permissions: groups,
}
const file = path.join(root, 'src/tables/rbac.json')
fs.writeFileSync(file, JSON.stringify(out).replace(/\],\["/g, '],\n["') + '\n')

const counts = columns.map((c, i) => `${c} ${granted.filter((p) => p.mask & (1 << i)).length}`)
console.log(`${path.relative(root, file)}: ${granted.length} permissions (${processing.length - granted.length} local-root only dropped); roles ${roles.join(', ')}; subroles ${counts.join(', ')}`)

// cross-check with the datamodel JSON (messages' roles)
const dmFile = process.argv[3] ?? path.resolve(root, '../shared/reference/xapi-datamodel.json')
if (fs.existsSync(dmFile)) {
  const byName = new Map(processing.map((p) => [p.name, p.mask]))
  let n = 0
  const missing = []
  const differ = []
  for (const c of JSON.parse(fs.readFileSync(dmFile, 'utf8'))) {
    for (const m of c.messages) {
      n++
      const name = `${c.name}.${m.name}`
      const mask = (m.roles ?? []).reduce((a, r) => a | (1 << columns.indexOf(r)), 0)
      if (!byName.has(name)) missing.push(name)
      else if (byName.get(name) !== mask) differ.push(name)
    }
  }
  console.log(`${path.relative(root, dmFile)}: ${n} messages; ${missing.length} not in the CSV${missing.length ? ` (${missing.slice(0, 5).join(', ')}…)` : ''}; ${differ.length} with other roles${differ.length ? ` (${differ.join(', ')})` : ''}`)
}
