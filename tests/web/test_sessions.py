"""Sessions in the browser: logging in (and its errors), an API token as the login cookie,
CSRF on forms but not on the API, and the first-run setup of an instance without an admin."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import expect

from tests.conftest import BACKENDS, register, unique
from tests.servers import Server, destroy, make_server
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, log_in


def test_login_errors_and_an_api_token_as_the_cookie(
    site: Server, new_context: ContextMaker
) -> None:
    name = unique("door")
    api = register(site, name, PASSWORD)
    page = new_context().new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Name or email").fill(name)
    page.get_by_label("Password").fill("wrong-password-1")
    with page.expect_navigation() as nav:
        page.get_by_role("button", name="Log in").click()
    assert nav.value is not None and nav.value.status == 401
    expect(page.get_by_role("alert")).to_have_text("That name or password is not right.")
    expect(page.get_by_label("Name or email")).to_have_value(name)
    # The operator sees the failure: which account, from where (issue 14, item 10).
    person_id = api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    failure = f"login failed: person {person_id} from 127.0.0.1 (wrong name or password)"
    assert [line for line in site.log_path.read_text().splitlines() if line.endswith(failure)], (
        site.log_tail()
    )

    # A token the API issued is a browser session too (lemmy-ui keeps it in this cookie).
    token = api.http.headers["Authorization"].split()[1]
    context = new_context()
    context.add_cookies([{"name": "jwt", "value": token, "url": site.url}])
    own = context.new_page()
    own.goto(f"{site.url}/settings")
    expect(own.get_by_role("heading", level=1)).to_have_text("Settings")
    expect(
        own.get_by_role("navigation", name="Site").get_by_role("link", name=name)
    ).to_be_visible()

    # Logging in through the form returns to the page that asked for it.
    person = log_in(site, new_context(), name, False)
    person.open("/create_post")
    assert person.page.url.endswith("/create_post")
    anon = new_context().new_page()
    anon.goto(f"{site.url}/create_post?community=x")
    assert anon.url == f"{site.url}/login?next=%2Fcreate_post%3Fcommunity%3Dx"


def test_forms_need_their_csrf_token_and_the_api_does_not(site: Server) -> None:
    with httpx.Client(base_url=site.url) as browserless:
        refused = browserless.post(
            "/login",
            data={"username_or_email": "x", "password": "y"},
            headers={"Accept": "text/html"},
        )
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
        # A token must match the cookie the site gave this client.
        browserless.get("/login")
        forged = browserless.post(
            "/login", data={"username_or_email": "x", "password": "y", "_csrf_token": "0" * 128}
        )
        assert forged.status_code == 403
    # Lemmy clients send no CSRF token: the API takes their requests as it always did.
    answer = httpx.post(
        f"{site.api}/user/login", json={"username_or_email": "nobody_x", "password": "y" * 10}
    )
    assert (answer.status_code, answer.json()["error"]) == (401, "incorrect_login")


@pytest.fixture(scope="module", params=BACKENDS)
def bare(request: pytest.FixtureRequest) -> Iterator[Server]:
    """A new instance with nobody in it: no admin from the environment."""
    srv = make_server(request.param)
    srv.start_env = {"MOOT_SETUP_ADMIN_NAME": "", "MOOT_SETUP_ADMIN_PASSWORD": ""}
    try:
        srv.start()
        yield srv
    finally:
        destroy(srv)


def test_first_run_setup_makes_the_admin(bare: Server, new_context: ContextMaker) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto(bare.url + "/")
    assert page.url == f"{bare.url}/setup"
    page.get_by_label("Name of the site").fill("Fresh Town")
    page.get_by_label("Admin name").fill("founder")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Set up").click()
    expect(page.get_by_role("alert")).to_have_text("A password has 10 to 60 characters.")
    assert httpx.get(f"{bare.api}/site").json()["admins"] == []

    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Set up").click()
    assert page.url == f"{bare.url}/"
    expect(page.locator("a.brand")).to_have_text("Fresh Town")
    site = httpx.get(f"{bare.api}/site").json()
    assert [a["person"]["name"] for a in site["admins"]] == ["founder"]
    assert site["site_view"]["site"]["name"] == "Fresh Town"
    assert site["site_view"]["local_site"]["site_setup"] is True
    # Once there is an admin the setup page is gone for everyone.
    other = new_context().new_page()
    other.goto(bare.url + "/setup")
    assert other.url == f"{bare.url}/"
