"""The contract of Lemmy's HTTP API as lemmy-js-client's TypeScript types declare it.

tests/contract/js holds the two clients side by side (npm aliases `lemmy-js-client-v3` =
0.19.9 and `lemmy-js-client-v4` = 1.0.0-beta.2, pinned in its package-lock; bin/test runs
`npm ci` there) and three scripts:

- routes.mjs: the route table of a package, derived from it (verb and path from running
  each `LemmyHttp` method against a recording fetch, form and response types from
  dist/http.d.ts);
- contract.mjs: that table plus a JSON Schema of every route's response
  (`Route_<method>`) and of an error body (`Route__error`), made by ts-json-schema-generator
  from the package's types; `load_contract` caches it by package version in
  node_modules/.cache/moot-contract/ (ignored, and gone with a fresh `npm ci`);
- check.mjs: a fetch for `LemmyHttp` that validates every answer against that schema;
  walk_v3.mjs calls every v3 route through it (tests/contract/test_v3_shapes.py).

For API v4, once moot serves /api/v4 (the lead wires this):
1. route coverage: `unserved_routes(server.url, "v4")` must be `[]`, as
   test_routes.py::test_every_v3_route_is_served asserts for "v3";
2. shapes: a walk_v4.mjs like walk_v3.mjs, importing `LemmyHttp` from "lemmy-js-client-v4"
   and passing `check.fetch` as its `fetchFunction` (v4's client resolves to a RequestState
   instead of throwing; the checks are the same), run by a test like test_v3_shapes.py with
   `load_contract("v4")`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import httpx
import pytest

JS_DIR = Path(__file__).resolve().parent / "js"
PACKAGES = {"v3": "lemmy-js-client-v3", "v4": "lemmy-js-client-v4"}
PINNED = {"v3": "0.19.9", "v4": "1.0.0-beta.2"}
CACHE = JS_DIR / "node_modules" / ".cache" / "moot-contract"
SCRIPTS = ("routes.mjs", "contract.mjs")

Contract = dict[str, Any]


def node() -> str:
    """Node.js, with the packages installed; a contract test without them fails, never skips."""
    found = shutil.which("node")
    if found is None:
        pytest.fail("Node.js is not installed")
    if not (JS_DIR / "node_modules" / "ts-json-schema-generator").exists():
        pytest.fail("the contract packages are not installed: run `npm ci` in tests/contract/js")
    return found


def package_dir(api: str) -> Path:
    return JS_DIR / "node_modules" / PACKAGES[api]


def _run(*args: str, timeout: float = 120) -> str:
    result = subprocess.run(
        [node(), *args], cwd=JS_DIR, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        pytest.fail(f"node {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
    return result.stdout


def route_table(package: Path) -> list[dict[str, Any]]:
    """[{name, verb, path, prefixed, form, response}] of the package at `package`."""
    routes: list[dict[str, Any]] = json.loads(_run("routes.mjs", str(package)))["routes"]
    return routes


def contract_path(api: str) -> Path:
    """The file holding the contract of the installed client for `api` ("v3" or "v4"),
    generated on first use and cached by package version (and by the scripts that made it)."""
    pkg = package_dir(api)
    version = json.loads((pkg / "package.json").read_text())["version"]
    scripts = hashlib.sha256(b"".join((JS_DIR / s).read_bytes() for s in SCRIPTS)).hexdigest()
    cached = CACHE / f"{PACKAGES[api]}@{version}-{scripts[:12]}.json"
    if not cached.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=CACHE, suffix=".part")
        os.close(fd)
        _run("contract.mjs", str(pkg), tmp)
        os.replace(tmp, cached)
    return cached


def load_contract(api: str) -> Contract:
    contract: Contract = json.loads(contract_path(api).read_text())
    return contract


def check_answer(api: str, route: str, status: int, body: Any) -> list[dict[str, Any]]:
    """The diffs check.mjs finds in one answer of `route` (for tests of the checker)."""
    out = _run("check.mjs", str(contract_path(api)), route, str(status), json.dumps(body))
    diffs: list[dict[str, Any]] = json.loads(out)
    return diffs


def probe_url(base_url: str, api: str, route: dict[str, Any]) -> str:
    path = str(route["path"]).replace("{", "").replace("}", "")
    return f"{base_url}/api/{api}{path}" if route["prefixed"] else f"{base_url}{path}"


Probe = tuple[dict[str, Any], int, Any]  # (route, status, JSON body or None)


def probe(base_url: str, contract: Contract) -> list[Probe]:
    """Each route of `contract` called anonymously with an empty form: none can change
    anything, since the ones that need a login refuse first."""
    answers: list[Probe] = []
    with httpx.Client(timeout=30) as http:
        for route in contract["routes"]:
            verb = route["verb"]
            body: dict[str, Any] | None = None if verb == "GET" else {}
            response = http.request(verb, probe_url(base_url, contract["api"], route), json=body)
            try:
                answer = response.json()
            except ValueError:
                answer = None
            answers.append((route, response.status_code, answer))
    return answers


def unserved(base_url: str, contract: Contract) -> list[str]:
    """The routes of `contract` the server at `base_url` does not serve: its router answers
    405, or 404 without one of Lemmy's own error codes (moot's router says `unknown` for a
    path it has no route for; a served route that cannot find a thing names the thing, as
    `couldnt_find_post`)."""
    missing = []
    for route, status, answer in probe(base_url, contract):
        code = answer.get("error") if isinstance(answer, dict) else None
        if status == 405 or (status == 404 and code in (None, "unknown")):
            url = probe_url(base_url, contract["api"], route)
            missing.append(f"{route['name']}: {route['verb']} {url} -> {status}")
    return missing


def unserved_routes(base_url: str, version: str) -> list[str]:
    """`unserved` for the installed client of API `version` ("v3", or "v4" once served)."""
    return unserved(base_url, load_contract(version))


def error_shapes(contract: Contract) -> dict[str, dict[str, Any]]:
    """{code: {"keys": the body's keys, "nullable": keys that may be null}} from the
    contract's LemmyErrorType (an `anyOf` of `{error: const, message?}` objects)."""
    shapes = {}
    for branch in contract["schema"]["definitions"]["LemmyErrorType"]["anyOf"]:
        props = branch["properties"]
        nullable = {k for k, v in props.items() if "null" in (v.get("type") or [])}
        shapes[props["error"]["const"]] = {"keys": set(props), "nullable": nullable}
    return shapes


def error_problem(shapes: dict[str, dict[str, Any]], body: Any) -> str | None:
    """What is wrong with an error body, or None if it is one of LemmyErrorType's."""
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        return f"not an error body: {body!r}"
    shape = shapes.get(body["error"])
    if shape is None:
        return f"unknown error code {body['error']!r}"
    if set(body) != shape["keys"]:
        return f"keys {sorted(body)}, LemmyErrorType has {sorted(shape['keys'])}"
    wrong = [k for k, v in body.items() if not isinstance(v, str) and k not in shape["nullable"]]
    return f"{wrong} must be strings" if wrong else None


def run_walk(script: str, server_url: str, backend: str, *args: str) -> dict[str, Any]:
    """Run one of js/'s walks against a live server (`node SCRIPT URL CONTRACT.json ARGS…`)
    and return the JSON summary its last line prints; fail with its output if it fails."""
    command = [node(), str(JS_DIR / script), server_url, str(contract_path("v4")), *args]
    try:
        result = subprocess.run(command, cwd=JS_DIR, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{script} timed out; stderr:\n{exc.stderr!r}")
    assert result.returncode == 0, (
        f"{script} exited {result.returncode} ({backend})\n"
        f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout[-3000:]}"
    )
    report: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return report
