// The contract of a lemmy-js-client package: its route table and a JSON Schema of every
// route's response, both derived from the package (see routes.mjs and tests/contract/).
//
//   node contract.mjs PACKAGE_DIR OUT.json
//
// OUT.json: {"package", "version", "api", "routes": [{name, verb, path, prefixed, form, response}],
// "schema": {definitions: {Route_<name>: <response of route name>, Route__error: the
// body of an error, ...}}}.
// The schema comes from ts-json-schema-generator run over a small TypeScript module that
// imports the package's types as dist/http.d.ts does and names each route's response type
// (`export type Route_getSite = GetSiteResponse;`), so generic responses such as v4's
// `PagedResponse<PostView>` are resolved by the generator like any other type. Objects carry
// `additionalProperties: false` and their `required` lists: an optional TS field (`x?: T`)
// may be absent or a T, never null.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createGenerator } from "ts-json-schema-generator";
import { apiVersion, routeTable } from "./routes.mjs";

export function routesModule(dist, routes) {
  const header = readFileSync(path.join(dist, "http.d.ts"), "utf8");
  const imports = [...header.matchAll(/^import (\{[^}]*\}) from "\.\/([^"]+)";$/gm)].map(
    ([, names, file]) => `import ${names} from ${JSON.stringify(path.join(dist, file))};`,
  );
  const errorType = JSON.stringify(path.join(dist, "types", "LemmyErrorType"));
  imports.push(`import { LemmyErrorType as ErrorBody } from ${errorType};`);
  const aliases = routes
    .filter((r) => r.response !== null)
    .map((r) => `export type Route_${r.name} = ${r.response};`);
  return [...imports, "export type Route__error = ErrorBody;", ...aliases, ""].join("\n");
}

export async function contract(packageDir) {
  const dist = path.resolve(packageDir, "dist");
  const routes = await routeTable(packageDir);
  const dir = mkdtempSync(path.join(os.tmpdir(), "moot-contract-"));
  try {
    const file = path.join(dir, "routes.ts");
    writeFileSync(file, routesModule(dist, routes));
    const schema = createGenerator({ path: file, type: "*", skipTypeCheck: true }).createSchema("*");
    const manifest = JSON.parse(readFileSync(path.join(packageDir, "package.json"), "utf8"));
    return {
      package: manifest.name,
      version: manifest.version,
      api: apiVersion(dist),
      routes,
      schema,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [packageDir, out] = process.argv.slice(2);
  if (!packageDir || !out) {
    console.error("usage: node contract.mjs PACKAGE_DIR OUT.json");
    process.exit(2);
  }
  writeFileSync(out, JSON.stringify(await contract(packageDir)));
}
