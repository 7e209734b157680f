"""Settings, read once from MOOT_* environment variables (and an optional moot.toml)."""

from __future__ import annotations

import ipaddress
import logging
import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

# Where `moot serve` listens unless told otherwise (8536 is Lemmy's port).
DEFAULT_LISTEN_HOST = "127.0.0.1"
DEFAULT_LISTEN_PORT = 8536

# Lemmy 0.19's `pictrs.image_mode`: what happens to pictures that live on other sites.
# None: left as they are; a link post's thumbnail is the page's own og:image URL.
# StoreLinkPreviews: a link post's thumbnail is fetched, shrunk and kept here.
# ProxyAllImages: remote pictures in posts and comments are rewritten, when written, to
# this instance's /api/v3/image_proxy, so readers never contact the remote site.
IMAGE_MODES = ("None", "StoreLinkPreviews", "ProxyAllImages")


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("moot-data")
    database_url: str = ""
    # A streaming replica of the PostgreSQL database, for anonymous listings; they go to the
    # primary whenever the replica may be more than `replica_max_lag_seconds` behind.
    database_replica_url: str = ""
    replica_max_lag_seconds: float = 5.0
    # The public host name (with a port when not the scheme's): ids and links of local
    # objects start with it. When none is configured it is the address `moot serve` listens
    # on (see `listening_on`), served over plain http.
    hostname: str = f"{DEFAULT_LISTEN_HOST}:{DEFAULT_LISTEN_PORT}"
    # False when no host name was set (load_settings decides; not a setting of its own).
    hostname_configured: bool = True
    # bcrypt's cost for new password hashes: 12 is Lemmy's, so accounts move between the
    # two with their hash. Each step doubles the work; 4 (the least) is for test suites.
    password_hash_cost: int = 12
    setup_admin_name: str | None = None
    setup_admin_password: str | None = None
    # Plain http and loopback peers, and fast retries: for tests and development only.
    federation_test_mode: bool = False
    # Test mode only: "moot-alpha=127.0.0.1,moot-beta=127.0.0.1" sends requests for those
    # host names to those addresses (loopback instances need no /etc/hosts entries).
    federation_test_hosts: str = ""
    # Deliveries in flight to one instance at a time (Lemmy: concurrent_sends_per_instance).
    federation_sends_per_instance: int = 100
    # Answer ActivityPub GETs (actors but the instance's, objects, collections) only when
    # signed, as Mastodon's secure mode (docs/decisions.md, "Signed fetch").
    federation_require_signed_fetch: bool = False
    # The in-process scheduler (rank refresh, counters); `moot worker` runs it elsewhere.
    run_workers: bool = True
    rank_refresh_seconds: int = 600
    log_level: str = "INFO"
    # The level of the one line each request logs (moot/request_log.py), or "off".
    request_log_level: str = "INFO"
    # Redis (redis://host:port/db), for what several `moot serve` processes must share:
    # rate limits and failed-login counts. Without it each process keeps its own.
    redis_url: str = ""
    # Several processes serve this (PostgreSQL) database. Without Redis they then count rate
    # limits and failed logins in it (moot/db_limits.py: a statement a limited request) and
    # look for the site's changes in it once a second (moot/shared_site.py). `moot serve
    # --processes N` sets it; several `moot serve` commands on one database need it set.
    several_processes: bool = False
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks,
    # comma-separated); none by default, so a client cannot choose its own address.
    trusted_proxies: str = ""
    # Origins whose pages may call the API from a browser, comma separated (Lemmy's
    # cors_origin). Empty or "*": any origin, as Lemmy 0.19 allows by default.
    cors_origin: str = ""
    # Uploads (POST /pictrs/image): bytes per file, and pixels per picture, all frames of
    # an animation counted (pict-rs's max_area is 40 M a frame; a frame is decoded whole,
    # 4 bytes a pixel, and the encoder holds every frame, so 25 M is about 100 MB).
    image_max_bytes: int = 10 * 1024 * 1024
    image_max_pixels: int = 25_000_000
    image_mode: str = "StoreLinkPreviews"
    # Uploaded pictures on an S3-compatible object store (path-style URLs,
    # `<endpoint>/<bucket>/<key>`); no endpoint: in `<data_dir>/media` (docs/object-storage.md).
    s3_endpoint: str = ""
    s3_bucket: str = ""
    s3_access_key: str = ""
    s3_secret_key: str = ""
    s3_region: str = "us-east-1"
    # Where readers fetch the bucket's objects (a CDN, or the bucket made public-read);
    # none: moot serves pictures itself from the store.
    s3_public_url: str = ""
    # Outgoing mail (password resets, address verification). No host: no mail, and the
    # actions that would send one answer `no_email_setup`, as Lemmy does.
    smtp_host: str = ""
    smtp_port: int = 0  # 0: the usual port of smtp_tls (25, 587 or 465)
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = ""  # default: noreply@<hostname>
    smtp_tls: str = "none"  # none | starttls | tls (Lemmy's tls_type)
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.image_mode not in IMAGE_MODES:
            raise ValueError(f"MOOT_IMAGE_MODE must be one of {', '.join(IMAGE_MODES)}")
        if self.database_replica_url and not all(
            url.startswith("postgres") for url in (self.database_url, self.database_replica_url)
        ):
            raise ValueError("MOOT_DATABASE_REPLICA_URL needs PostgreSQL, as MOOT_DATABASE_URL")
        if not 4 <= self.password_hash_cost <= 31:
            raise ValueError("MOOT_PASSWORD_HASH_COST must be from 4 to 31 (bcrypt's range)")
        if self.replica_max_lag_seconds <= 0:
            raise ValueError("MOOT_REPLICA_MAX_LAG_SECONDS must be more than 0")
        if self.request_log_level.lower() != "off" and self.request_log_levelno is None:
            raise ValueError("MOOT_REQUEST_LOG_LEVEL must be a log level (DEBUG, INFO, …) or off")
        if self.s3_endpoint:
            missing = [
                f"MOOT_S3_{name.upper()}"
                for name in ("bucket", "access_key", "secret_key", "region")
                if not getattr(self, f"s3_{name}")
            ]
            if missing:
                raise ValueError(f"MOOT_S3_ENDPOINT is set, so {', '.join(missing)} must be too")

    @property
    def request_log_levelno(self) -> int | None:
        """MOOT_REQUEST_LOG_LEVEL as a number; None for "off" (no request lines)."""
        return logging.getLevelNamesMapping().get(self.request_log_level.upper())

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "moot.sqlite3"

    @property
    def media_dir(self) -> Path:
        """Where uploaded pictures are kept by the local storage backend."""
        return self.data_dir / "media"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path}"

    @property
    def mail_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def host_is_ip_address(self) -> bool:
        return _is_ip_address(self.hostname)

    @property
    def can_federate(self) -> bool:
        """Whether other servers can know this instance: Lemmy and its peers name instances
        by a domain name (reached over https, or plain http between test-mode instances)."""
        return self.hostname_configured and not self.host_is_ip_address

    @property
    def is_https(self) -> bool:
        """Served over https: a configured domain name. An instance without a host name, or
        on an IP address (a first try, a LAN: nothing gives those a certificate), is plain
        http, so its links and cookies work where it is opened."""
        return self.can_federate and not self.federation_test_mode

    @property
    def proxy_all_images(self) -> bool:
        return self.image_mode == "ProxyAllImages"

    @property
    def image_cache_dir(self) -> Path:
        """Where pictures fetched for /api/v3/image_proxy are kept for a while."""
        return self.data_dir / "image-cache"

    @property
    def origin(self) -> str:
        """The public base URL: ids and links of local objects start with it."""
        return f"{'https' if self.is_https else 'http'}://{self.hostname}"

    def listening_on(self, host: str, port: int) -> Settings:
        """These settings for `moot serve --host HOST --port PORT`: without a configured host
        name, the public address is the listen address (a wildcard one as loopback, which a
        browser on this machine opens; others need MOOT_HOSTNAME)."""
        if self.hostname_configured:
            return self
        if host in ("", "0.0.0.0"):
            host = "127.0.0.1"
        elif host == "::":
            host = "::1"
        name = f"[{host}]" if ":" in host else host
        return replace(self, hostname=f"{name}:{port}")


def _is_ip_address(hostname: str) -> bool:
    """Whether host[:port] (an IPv6 address in brackets) names an IP address."""
    try:
        ipaddress.ip_address(urlsplit(f"//{hostname}").hostname or "")
    except ValueError:
        return False
    return True


_TRUE = {"1", "true", "yes", "on"}


def _coerce(name: str, raw: str) -> object:
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "bool":
        return raw.strip().lower() in _TRUE
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "Path":
        return Path(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None, toml_path: Path | None = None) -> Settings:
    """Environment wins over moot.toml, which wins over the defaults."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, object] = {}
    toml_file = toml_path or Path(env.get("MOOT_CONFIG", "moot.toml"))
    if toml_file.is_file():
        with toml_file.open("rb") as fh:
            for key, value in tomllib.load(fh).items():
                values[key] = _coerce(key, str(value)) if not isinstance(value, bool) else value
    known = {f.name for f in fields(Settings)} - {"extra", "hostname_configured"}
    for name in known:
        raw = env.get(f"MOOT_{name.upper()}")
        if raw is not None and raw != "":
            values[name] = _coerce(name, raw)
    values["hostname_configured"] = "hostname" in values
    return Settings(**values)  # type: ignore[arg-type]
