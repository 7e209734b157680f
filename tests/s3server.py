"""A real S3-compatible server for the object-storage tests: OpenStack Swift from Debian's
packages (installed by bin/test), with its s3api middleware and tempauth, one replica of
everything on a temporary directory ("Swift All In One"), on loopback ports.

The tests check what landed in the store through Swift's own API (anonymous reads of a
public-read bucket), not through moot's S3 client, so a mistake in that client cannot hide
itself.
"""

from __future__ import annotations

import getpass
import hashlib
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

from moot.media.sigv4 import EMPTY_SHA256, sign
from tests.servers import free_port

ACCESS_KEY = "moot:tester"
SECRET_KEY = "tester-secret-key"
REGION = "us-east-1"
_ACCOUNT = "AUTH_moot"
_SERVERS = ("object", "container", "account")
_NEEDED = ("/usr/bin/swift-proxy-server", "/usr/bin/swift-object-server", "/usr/bin/memcached")

_RINGS = """
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for kind, port in zip(("object", "container", "account"), sys.argv[2:]):
    builder = RingBuilder(0, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1",
                     "port": int(port), "device": "d1", "weight": 1})
    builder.rebalance()
    builder.get_ring().save(f"{etc}/{kind}.ring.gz")
"""


def _wait_for_port(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.2)
    return False


@dataclass
class SwiftS3:
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="moot-swift-")))
    ports: dict[str, int] = field(
        default_factory=lambda: {n: free_port() for n in (*_SERVERS, "proxy", "memcached")}
    )
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.ports['proxy']}"

    def public_url(self, bucket: str) -> str:
        """The bucket through Swift's own API: what a public-read bucket serves anyone."""
        return f"{self.endpoint}/v1/{_ACCOUNT}/{bucket}"

    def settings(self, bucket: str) -> dict[str, str]:
        """moot's settings for `bucket` on this server."""
        return {
            "MOOT_S3_ENDPOINT": self.endpoint,
            "MOOT_S3_BUCKET": bucket,
            "MOOT_S3_ACCESS_KEY": ACCESS_KEY,
            "MOOT_S3_SECRET_KEY": SECRET_KEY,
            "MOOT_S3_REGION": REGION,
        }

    def _write_config(self) -> None:
        etc, devices = self.root / "etc", self.root / "srv"
        (devices / "d1").mkdir(parents=True)
        etc.mkdir()
        (etc / "swift.conf").write_text(
            "[swift-hash]\nswift_hash_path_suffix = moot-tests\n"
            "swift_hash_path_prefix = moot-tests\n"
            "[storage-policy:0]\nname = Policy-0\ndefault = yes\n"
        )
        common = (
            f"[DEFAULT]\nbind_ip = 127.0.0.1\nworkers = 0\nuser = {getpass.getuser()}\n"
            f"swift_dir = {etc}\ndevices = {devices}\nmount_check = false\nlog_level = WARNING\n"
        )
        for kind in _SERVERS:
            (etc / f"{kind}-server.conf").write_text(
                f"{common}bind_port = {self.ports[kind]}\n"
                f"[pipeline:main]\npipeline = {kind}-server\n"
                f"[app:{kind}-server]\nuse = egg:swift#{kind}\n"
            )
        user = ACCESS_KEY.replace(":", "_")
        (etc / "proxy-server.conf").write_text(
            f"{common}bind_port = {self.ports['proxy']}\n"
            "[pipeline:main]\npipeline = catch_errors gatekeeper proxy-logging cache s3api "
            "tempauth proxy-logging proxy-server\n"
            "[app:proxy-server]\nuse = egg:swift#proxy\naccount_autocreate = true\n"
            "[filter:catch_errors]\nuse = egg:swift#catch_errors\n"
            "[filter:gatekeeper]\nuse = egg:swift#gatekeeper\n"
            "[filter:proxy-logging]\nuse = egg:swift#proxy_logging\n"
            f"[filter:cache]\nuse = egg:swift#memcache\n"
            f"memcache_servers = 127.0.0.1:{self.ports['memcached']}\n"
            f"[filter:s3api]\nuse = egg:swift#s3api\nlocation = {REGION}\n"
            f"[filter:tempauth]\nuse = egg:swift#tempauth\nuser_{user} = {SECRET_KEY} .admin\n"
        )
        subprocess.run(
            ["/usr/bin/python3", "-c", _RINGS, str(etc), *(str(self.ports[k]) for k in _SERVERS)],
            check=True,
            capture_output=True,
        )

    def _spawn(self, name: str, *argv: str) -> None:
        log = (self.root / f"{name}.log").open("ab")
        self.processes.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))

    def logs(self) -> str:
        return "\n".join(
            f"--- {path.name}\n{path.read_text(errors='replace')[-3000:]}"
            for path in sorted(self.root.glob("*.log"))
        )

    def start(self) -> None:
        """Starts memcached and the four Swift servers; raises (never skips) when they do not
        come up: bin/test installs the packages, so a missing one is a broken setup."""
        missing = [path for path in _NEEDED if not Path(path).exists()]
        if missing:
            raise RuntimeError(f"the S3 test server needs {missing}: run bin/test to install")
        self._write_config()
        port = str(self.ports["memcached"])
        user = getpass.getuser()
        self._spawn(
            "memcached", "/usr/bin/memcached", "-l", "127.0.0.1", "-p", port, "-U", "0", "-u", user
        )
        for kind in (*_SERVERS, "proxy"):
            conf = str(self.root / f"etc/{kind}-server.conf")
            self._spawn(kind, f"/usr/bin/swift-{kind}-server", conf)
        # Python servers on a loaded machine: allow them time, then say why they failed.
        deadline = time.monotonic() + 120
        for name, port_number in self.ports.items():
            if not _wait_for_port(port_number, deadline):
                self.stop()
                raise RuntimeError(f"swift {name} did not start:\n{self.logs()}")

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # Seen from outside moot

    def _put(self, path: str, data: bytes, headers: dict[str, str]) -> None:
        url = f"{self.endpoint}/{path}"
        signed = sign(
            "PUT",
            url,
            {},
            hashlib.sha256(data).hexdigest() if data else EMPTY_SHA256,
            access_key=ACCESS_KEY,
            secret_key=SECRET_KEY,
            region=REGION,
            now=datetime.now(UTC),
            headers=headers,
        )
        response = httpx.put(url, content=data, headers=signed, timeout=30)
        assert response.status_code == 200, response.text

    def make_bucket(self, bucket: str) -> None:
        """A bucket anyone may read (as a bucket behind MOOT_S3_PUBLIC_URL is)."""
        self._put(bucket, b"", {"x-amz-acl": "public-read"})

    def overwrite(self, bucket: str, key: str, data: bytes) -> None:
        """Replaces an object behind moot's back."""
        self._put(f"{bucket}/{key}", data, {})

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """The bucket's keys, listed by Swift's own API."""
        response = httpx.get(self.public_url(bucket), params={"prefix": prefix}, timeout=30)
        if response.status_code == 204:
            return []
        assert response.status_code == 200, response.text
        return response.text.split()

    def read(self, bucket: str, key: str) -> httpx.Response:
        """One object, read by Swift's own API."""
        return httpx.get(f"{self.public_url(bucket)}/{key}", timeout=30)
