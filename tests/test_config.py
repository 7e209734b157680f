"""The public address moot derives from its settings: a domain name over https, an IP address
or no host name at all over plain http (the listen address when none is set)."""

from __future__ import annotations

import pytest

from moot.config import load_settings


@pytest.mark.parametrize(
    ("hostname", "origin", "federates"),
    [
        ("forum.example.org", "https://forum.example.org", True),
        ("forum.example.org:8443", "https://forum.example.org:8443", True),
        ("192.168.1.5:8536", "http://192.168.1.5:8536", False),
        ("[fd00::5]:8536", "http://[fd00::5]:8536", False),
    ],
)
def test_a_configured_host_name(hostname: str, origin: str, federates: bool) -> None:
    settings = load_settings({"MOOT_HOSTNAME": hostname, "MOOT_CONFIG": "/nonexistent"})
    assert (settings.origin, settings.can_federate) == (origin, federates)
    # `moot serve --host/--port` does not change a configured name.
    assert settings.listening_on("0.0.0.0", 9000).origin == origin


def test_no_host_name_is_the_listen_address_over_http() -> None:
    settings = load_settings({"MOOT_CONFIG": "/nonexistent"})
    assert (settings.origin, settings.can_federate) == ("http://127.0.0.1:8536", False)
    assert settings.listening_on("127.0.0.1", 9000).origin == "http://127.0.0.1:9000"
    assert settings.listening_on("0.0.0.0", 9000).origin == "http://127.0.0.1:9000"
    assert settings.listening_on("::", 9000).origin == "http://[::1]:9000"
    assert settings.listening_on("10.0.0.7", 80).hostname == "10.0.0.7:80"


PG = "postgresql://moot@127.0.0.1/moot"


@pytest.mark.parametrize(
    ("env", "refusal"),
    [
        ({"MOOT_DATABASE_REPLICA_URL": PG}, "MOOT_DATABASE_REPLICA_URL needs PostgreSQL"),
        (
            {
                "MOOT_DATABASE_URL": PG,
                "MOOT_DATABASE_REPLICA_URL": PG,
                "MOOT_REPLICA_MAX_LAG_SECONDS": "0",
            },
            "MOOT_REPLICA_MAX_LAG_SECONDS must be more than 0",
        ),
        ({"MOOT_REQUEST_LOG_LEVEL": "loud"}, "MOOT_REQUEST_LOG_LEVEL must be a log level"),
        ({"MOOT_PASSWORD_HASH_COST": "3"}, "MOOT_PASSWORD_HASH_COST must be from 4 to 31"),
    ],
)
def test_settings_that_cannot_work_are_refused(env: dict[str, str], refusal: str) -> None:
    with pytest.raises(ValueError, match=refusal):
        load_settings({**env, "MOOT_CONFIG": "/nonexistent"})


def test_the_replica_and_request_log_settings() -> None:
    env = {
        "MOOT_DATABASE_URL": PG,
        "MOOT_DATABASE_REPLICA_URL": PG.replace("127.0.0.1", "replica"),
        "MOOT_REPLICA_MAX_LAG_SECONDS": "2.5",
        "MOOT_REQUEST_LOG_LEVEL": "off",
        "MOOT_CONFIG": "/nonexistent",
    }
    settings = load_settings(env)
    assert settings.replica_max_lag_seconds == 2.5
    assert settings.request_log_levelno is None
    assert load_settings({"MOOT_CONFIG": "/nonexistent"}).request_log_levelno == 20
