// Checks that README.md's parity table names every public method of the
// installed @scalekit-sdk/node, so the table cannot fall behind the package.
//
//   node tests/compat/parity.js <unpacked @scalekit-sdk/node> <README.md>
//
// The methods are read from the package's lib/*.d.ts: those of ScalekitClient
// itself (named bare, `getAuthorizationUrl`) and of each sub-client it exposes
// (named `user.searchUsers`, after the property). The agent surface (tools,
// connected accounts, actions) is left out. The table is the one under
// "## Parity with the reference SDK"; its names are the backticked
// `name` / `sub.name` tokens of the column whose header carries the package's
// version (`| 2.2.2 | 2.11.0 | scalekit-rs |`), or of the first column when
// no header does. Exits 1 when a method is missing from the table or the
// table names a method the package does not have.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const AGENT_ACCESSORS = new Set(["tools", "connectedAccounts", "actions"]);
const SECTION = "## Parity with the reference SDK";

function declarations(file) {
  // Comments go first: the JSDoc examples are full of `name(` lines.
  return fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
}

// The public methods of the default-exported class of one .d.ts file.
function classMethods(file) {
  const body = /export default class (\w+)[^{]*\{([\s\S]*?)\n\}/.exec(declarations(file));
  if (!body) throw new Error(`${file}: no default-exported class`);
  const methods = new Set();
  for (const line of body[2].split("\n")) {
    const m = /^ {4}(?:static )?(?:async )?([A-Za-z_$][\w$]*)\s*(?:<[^(]*>)?\(/.exec(line);
    if (m && m[1] !== "constructor") methods.add(m[1]);
  }
  return { className: body[1], methods: [...methods] };
}

// Every public, non-agent method of the package, as the table names them.
function packageMethods(pkgDir) {
  const lib = path.join(pkgDir, "lib");
  const root = declarations(path.join(lib, "scalekit.d.ts"));
  const imports = new Map(); // class name -> file
  for (const m of root.matchAll(/^import (\w+) from '\.\/([\w-]+)';/gm)) imports.set(m[1], m[2]);
  const names = classMethods(path.join(lib, "scalekit.d.ts")).methods.slice();
  for (const m of root.matchAll(/^ {4}readonly (\w+): (\w+);/gm)) {
    const [, accessor, className] = m;
    if (AGENT_ACCESSORS.has(accessor)) continue;
    const file = imports.get(className);
    if (!file) throw new Error(`scalekit.d.ts: no import for ${className}`);
    for (const method of classMethods(path.join(lib, `${file}.d.ts`)).methods) names.push(`${accessor}.${method}`);
  }
  return names;
}

function cells(row) {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((c) => c.trim());
}

// The names in the table's column for `version`.
function tableNames(readme, version) {
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README has no "${SECTION}" section`);
  const rest = readme.slice(start + SECTION.length + 2);
  const end = rest.search(/\n## /);
  const rows = (end < 0 ? rest : rest.slice(0, end)).split("\n").filter((l) => l.trim().startsWith("|"));
  if (rows.length < 3) throw new Error("the parity section has no table");
  const header = cells(rows[0]);
  let column = header.findIndex((h) => h.includes(version));
  const note = column < 0 ? `no column header names ${version}; reading the first column ("${header[0]}")` : null;
  if (column < 0) column = 0;
  const names = [];
  for (const row of rows.slice(2)) {
    const cell = cells(row)[column] || "";
    for (const m of cell.matchAll(/`([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)?)`/g)) names.push(m[1]);
  }
  return { names, note, header: header[column] };
}

function main([pkgDir, readmePath]) {
  if (!pkgDir || !readmePath) {
    console.error("usage: node parity.js <unpacked @scalekit-sdk/node> <README.md>");
    return 2;
  }
  const version = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8")).version;
  const expected = packageMethods(pkgDir);
  const table = tableNames(fs.readFileSync(readmePath, "utf8"), version);
  if (table.note) console.log(`note: ${table.note}`);
  const listed = new Set(table.names);
  const known = new Set(expected);
  const missing = expected.filter((n) => !listed.has(n));
  const unknown = [...listed].filter((n) => !known.has(n));
  const duplicated = table.names.filter((n, i) => table.names.indexOf(n) !== i);
  for (const name of missing) console.log(`missing from the table: ${name}`);
  for (const name of unknown) console.log(`not a method of @scalekit-sdk/node ${version}: ${name}`);
  for (const name of new Set(duplicated)) console.log(`listed twice: ${name}`);
  console.log(
    `parity ${version}: ${expected.length} methods, ${expected.length - missing.length} listed, ` +
      `${missing.length} missing, ${unknown.length} unknown, ${new Set(duplicated).size} duplicated`,
  );
  return missing.length + unknown.length + duplicated.length === 0 ? 0 : 1;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { packageMethods, tableNames };
