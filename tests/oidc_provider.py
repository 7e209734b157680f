"""A real OpenID Connect provider for the OAuth sign-in tests: panva's oidc-provider from
npm (tests/oidc, installed by bin/test), run on a free loopback port by
tests/oidc/server.mjs with one confidential client that must use PKCE. Its development
login form signs in any login name; the person's `sub` is that name."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import secrets
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers import Server, free_port

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "moot-test-client"
CLIENT_SECRET = "moot-test-client-secret-0123456789"


def callback_url(server: Server) -> str:
    """The redirect URI moot's web pages use; the API walks name it too."""
    return f"{server.url}/oauth/callback"


@dataclass
class OidcProvider:
    redirect_uris: list[str]
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail("Node.js is not installed")
        if not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
            pytest.fail("oidc-provider is not installed: run `npm ci` in tests/oidc")
        self.process = subprocess.Popen(
            [node, "server.mjs", str(self.port), CLIENT_ID, CLIENT_SECRET, *self.redirect_uris],
            cwd=OIDC_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # "ready <issuer>", or "" if it died
        if not line.startswith("ready "):
            self.stop()
            pytest.fail("the OpenID provider did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def provider_form(self, **overrides: Any) -> dict[str, Any]:
        """CreateOAuthProvider's fields for this provider."""
        form: dict[str, Any] = {
            "display_name": "Test OIDC",
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/auth",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/me",
            "id_claim": "sub",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": "openid email",
            "auto_verify_email": True,
            "use_pkce": True,
        }
        form.update(overrides)
        return form


def pkce_pair() -> tuple[str, str]:
    """A PKCE verifier and its S256 challenge (RFC 7636)."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def authorize(provider: dict[str, Any], login: str, redirect_uri: str) -> tuple[str, str]:
    """The browser's part of a sign-in, played by an HTTP client with a cookie jar: to the
    provider's authorization endpoint with the public provider's settings (PublicOAuthProvider),
    through its login and consent forms, until it sends the browser back to `redirect_uri`.
    Returns the code and the PKCE verifier."""
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": provider["client_id"],
        "redirect_uri": redirect_uri,
        "scope": provider["scopes"],
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    with httpx.Client(timeout=30) as browser:
        response = browser.get(provider["authorization_endpoint"], params=params)
        for _ in range(20):
            location = response.headers.get("location")
            if location is not None:
                target = response.url.join(location)
                if str(target).startswith(redirect_uri):
                    assert target.params.get("state") == state
                    return str(target.params["code"]), verifier
                response = browser.get(target)
                continue
            assert response.status_code == 200, response.text[:500]
            action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
            assert action and prompt, response.text[:500]
            form = {"prompt": prompt.group(1)}
            if form["prompt"] == "login":
                form.update(login=login, password="any password")
            response = browser.post(response.url.join(html.unescape(action.group(1))), data=form)
    raise AssertionError("the authorization never came back")
