"""The inbox in the browser: replies and mentions beside private messages, the unread count
in the site menu, marking one read and unread (in place with the script, a plain form
without it), marking all read, and the forms' CSRF token; each step read back from the API's
/user/unread_count."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, expect

from moot.errors import ErrorCode
from tests.conftest import register, unique
from tests.servers import Server
from tests.web.conftest import ContextMaker
from tests.web.people import PASSWORD, Person, log_in
from tests.web.staff import forge, refusal_words, token_of


def _inbox_link(person: Person) -> Locator:
    menu = person.page.get_by_role("navigation", name="Site")
    return menu.get_by_role("link", name=re.compile(r"^Inbox"))


def _unread(person: Person) -> dict[str, int]:
    counts = person.api("/user/unread_count")
    return {k: counts[k] for k in ("replies", "mentions", "private_messages")}


def _item(person: Person, text: str) -> Locator:
    return person.page.locator("li.notice", has_text=text)


@pytest.mark.parametrize("js", [True, False], ids=["script", "plain"])
def test_replies_and_mentions_in_the_inbox(
    site: Server, new_context: ContextMaker, js: bool
) -> None:
    name, other = unique("inboxed"), unique("answerer")
    own_api = register(site, name, PASSWORD)
    other_api = register(site, other, PASSWORD)
    community = unique("inboxc")
    community_id = own_api.ok(
        "POST", "/community", {"name": community, "title": f"Inbox {community}"}
    )["community_view"]["community"]["id"]
    post = own_api.ok("POST", "/post", {"name": "What do you think?", "community_id": community_id})
    post_id = post["post_view"]["post"]["id"]

    reply_text = f"A reply, {unique('r')}"
    mention_text = f"Look at this, {unique('m')}"
    reply_id = other_api.ok("POST", "/comment", {"post_id": post_id, "content": reply_text})[
        "comment_view"
    ]["comment"]["id"]
    # A comment on their post that also names them is a mention, not a second reply.
    other_api.ok(
        "POST",
        "/comment",
        {"post_id": post_id, "content": f"@{name}@{site.hostname} {mention_text}"},
    )
    me_id = own_api.ok("GET", "/site")["my_user"]["local_user_view"]["person"]["id"]
    other_api.ok("POST", "/private_message", {"recipient_id": me_id, "content": "Hello"})

    me = log_in(site, new_context(java_script_enabled=js), name, js)
    assert _unread(me) == {"replies": 1, "mentions": 1, "private_messages": 1}
    me.open("/")
    expect(_inbox_link(me)).to_have_accessible_name("Inbox 3 unread")

    # The menu opens the view with something unread in it.
    me.submit(_inbox_link(me).click)
    assert me.page.url.endswith("/messages?view=replies&show=unread")
    tabs = me.page.get_by_role("navigation", name="Inbox")
    expect(tabs.get_by_role("link", name="Replies 1 unread")).to_have_attribute(
        "aria-current", "page"
    )
    reply = _item(me, reply_text)
    expect(reply).to_contain_text(f"{other} replied on What do you think? in Inbox {community}")
    expect(reply.locator(".tag")).to_have_text("Unread")
    expect(reply.get_by_role("link", name="In context")).to_have_attribute(
        "href", f"/comment/{reply_id}"
    )
    expect(reply.get_by_role("link", name=other)).to_have_attribute("href", f"/u/{other}")
    expect(_item(me, mention_text)).to_have_count(0)

    me.submit(tabs.get_by_role("link", name=re.compile("^Mentions")).click)
    mention = _item(me, mention_text)
    expect(mention).to_contain_text(f"{other} mentioned you on What do you think?")
    expect(mention.locator(".md")).to_have_text(f"@{name}@{site.hostname} {mention_text}")
    expect(_item(me, reply_text)).to_have_count(0)

    # Marking the reply read, then unread again: in place with the script.
    me.open("/messages?view=replies&show=all")
    me.act(_item(me, reply_text).get_by_role("button", name="Mark read").click)
    expect(_item(me, reply_text).get_by_role("button", name="Mark unread")).to_be_visible()
    expect(_item(me, reply_text).locator(".tag")).to_have_count(0)
    assert _unread(me) == {"replies": 0, "mentions": 1, "private_messages": 1}
    me.open("/messages?view=replies&show=unread")
    expect(me.page.locator("p.empty")).to_have_text("No unread replies.")
    expect(_inbox_link(me)).to_have_accessible_name("Inbox 2 unread")
    assert me.page.get_by_role("link", name="Inbox 2 unread").get_attribute("href") == (
        "/messages?view=mentions&show=unread"
    )
    me.open("/messages?view=replies&show=all")
    me.act(_item(me, reply_text).get_by_role("button", name="Mark unread").click)
    expect(_item(me, reply_text).get_by_role("button", name="Mark read")).to_be_visible()
    assert _unread(me)["replies"] == 1

    # Without the form's token the post is refused; someone else's notice is not theirs.
    notice_id = me.api("/user/replies", limit=1)["replies"][0]["comment_reply"]["id"]
    bare = me.context.request.post(
        f"{site.url}/messages/replies/{notice_id}/read",
        form={"read": "1"},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    assert bare.status == 403
    stranger_context = new_context(java_script_enabled=js)
    stranger_context.add_cookies([{"name": "jwt", "value": token_of(other_api), "url": site.url}])
    stranger = Person(other, stranger_context, stranger_context.new_page(), site, js)
    status, body = forge(stranger, f"/messages/replies/{notice_id}/read", {"read": 1})
    assert status == 400 and refusal_words(ErrorCode.COULDNT_UPDATE_COMMENT) in body
    assert _unread(me) == {"replies": 1, "mentions": 1, "private_messages": 1}

    # "Mark all as read" clears replies, mentions and messages, and the count with them.
    me.open("/messages?view=mentions&show=unread")
    expect(_inbox_link(me)).to_have_accessible_name("Inbox 3 unread")
    me.submit(me.page.get_by_role("button", name="Mark all as read").click)
    expect(me.page.locator("p.empty")).to_have_text("No unread mentions.")
    expect(_inbox_link(me)).to_have_accessible_name("Inbox")
    expect(me.page.get_by_role("button", name="Mark all as read")).to_have_count(0)
    assert _unread(me) == {"replies": 0, "mentions": 0, "private_messages": 0}
    me.open("/messages?show=all")
    expect(me.page.locator("li.message", has_text="Hello")).to_be_visible()
    expect(me.page.locator("li.message .tag")).to_have_count(0)


def test_the_inbox_wants_a_login(site: Server, new_context: ContextMaker) -> None:
    page = new_context().new_page()
    page.goto(site.url + "/messages?view=mentions")
    assert page.url == site.url + "/login?next=%2Fmessages%3Fview%3Dmentions"


def test_replies_come_in_pages(site: Server, new_context: ContextMaker) -> None:
    name = unique("paged")
    own_api = register(site, name, PASSWORD)
    other_api = register(site, unique("chatty"), PASSWORD)
    community_id = own_api.ok("POST", "/community", {"name": name, "title": f"Paged {name}"})[
        "community_view"
    ]["community"]["id"]
    post_id = own_api.ok("POST", "/post", {"name": "Many answers", "community_id": community_id})[
        "post_view"
    ]["post"]["id"]
    for i in range(21):
        other_api.ok("POST", "/comment", {"post_id": post_id, "content": f"Answer {i:02}"})
    me = log_in(site, new_context(), name, True)
    me.open("/messages?view=replies&show=unread")
    expect(me.page.locator("li.notice")).to_have_count(20)
    expect(me.page.locator("li.notice").first).to_contain_text("Answer 20")  # newest first
    me.submit(me.page.get_by_role("link", name="Next").click)
    assert me.page.url.endswith("/messages?view=replies&show=unread&page=2")
    expect(me.page.locator("li.notice")).to_have_count(1)
    expect(me.page.locator("li.notice")).to_contain_text("Answer 00")
    expect(me.page.get_by_role("link", name="Previous")).to_have_attribute(
        "href", "?view=replies&show=unread&page=1"
    )
