"""The checks Lemmy makes on an activity before it touches the database (reference §4, §6).

Everything here is structural: domains, embedded shapes, public addressing. Checks that need
rows (is the actor a moderator, is the post locked) belong to the actions.
"""

from __future__ import annotations

from dataclasses import dataclass

from moot.federation import urls
from moot.federation.objects.post import attachments
from moot.federation.protocol import activities as a
from moot.federation.protocol.actors import PERSON_TYPES, Group, Person
from moot.federation.protocol.common import PUBLIC, Urls, as_list
from moot.federation.protocol.objects import MEDIA_TYPES, POST_TYPES, ChatMessage, Note, Page
from moot.federation.protocol.parse import ParseError, parse_activity, parse_object

UNDOABLE = ("Follow", "Like", "Dislike", "Delete", "Lock", "Block")
# Refused: neither Lemmy 0.19 nor moot acts on them (Lemmy 1.0's Warn and Reject moot does).
NOT_IN_019 = ("Resolve",)


@dataclass(frozen=True)
class Rules:
    """What the receiving instance is: its own domain, and whether plain http is allowed."""

    local_domain: str
    allow_http: bool


def _url(url: str, rules: Rules, what: str) -> str:
    scheme, host, _ = urls.split(url)
    if scheme == "http" and not rules.allow_http:
        raise ParseError(f"{what} uses plain http, refused outside test mode: {url[:100]}")
    return host


def _is_public(*addressed: Urls | None) -> bool:
    return any(PUBLIC in as_list(value) for value in addressed)


def check_activity(activity: a.Activity, rules: Rules, *, announced: bool = False) -> None:
    """Raise ParseError with the reason Lemmy would give, or return if acceptable."""
    if activity.type in NOT_IN_019:
        raise ParseError(f"{activity.type} is not an activity Lemmy 0.19 handles")
    id_domain = _url(activity.id, rules, "activity id")
    if id_domain != _url(activity.actor, rules, "actor"):
        raise ParseError("the activity id and its actor are on different domains")
    if id_domain == rules.local_domain and not announced:
        raise ParseError("the activity id is on this instance's own domain")
    check = _CHECKS.get(type(activity))
    if check is not None:
        check(activity, rules)


def _check_follow(activity: a.Activity, rules: Rules) -> None:
    assert isinstance(activity, a.Follow)
    _url(activity.object, rules, "object")


def _embedded(activity: a.Activity, what: str) -> dict[str, object]:
    obj = getattr(activity, "object", None)
    if not isinstance(obj, dict):
        raise ParseError(f"{activity.type} must embed its {what}, not give a URL")
    return obj


def _check_accept(activity: a.Activity, rules: Rules) -> None:
    follow = parse_activity(_embedded(activity, "Follow"))
    if not isinstance(follow, a.Follow):
        raise ParseError(f"Accept of a {follow.type}, not of a Follow")
    _url(follow.actor, rules, "follower")
    if follow.object != activity.actor:
        raise ParseError("Accept of a Follow addressed to another actor")


def _check_reject(activity: a.Activity, rules: Rules) -> None:
    """Lemmy 1.0: a private community's moderator denied a follow; shaped as an Accept."""
    _check_accept(activity, rules)


def _check_undo(activity: a.Activity, rules: Rules) -> None:
    inner = parse_activity(_embedded(activity, "activity"))
    if inner.type not in UNDOABLE:
        raise ParseError(f"Undo of a {inner.type} is not understood")
    if inner.actor != activity.actor:
        raise ParseError("Undo of another actor's activity")
    check_activity(inner, rules)


def _check_post_like(obj: Page | Note, activity: a.Activity, rules: Rules) -> None:
    object_domain = _url(obj.id, rules, "object id")
    # Lemmy 1.0's moderator edit of a post (ModEditPost) is an Update of the Page sent by
    # the moderator: the ingest takes only its NSFW flag and tags, from a moderator of the
    # community, for a post already stored (moot/federation/inbox/ingest.py).
    mod_edit = isinstance(obj, Page) and activity.type == "Update"
    if obj.attributed_to != activity.actor and not mod_edit:
        raise ParseError("the object's attributedTo is not the activity's actor")
    if object_domain != urls.domain(activity.actor) and obj.attributed_to == activity.actor:
        raise ParseError("the object and the actor are on different domains")
    if obj.media_type is not None and obj.media_type not in MEDIA_TYPES:
        raise ParseError(f"mediaType {obj.media_type!r} is neither text/html nor text/markdown")
    if not _is_public(obj.to, obj.cc) and not _is_public(activity.to, activity.cc):
        raise ParseError("the object is not addressed to the public")
    attachments(obj.attachment)


def _check_create_or_update(activity: a.Activity, rules: Rules) -> None:
    obj = parse_object(_embedded(activity, "object"))
    if isinstance(obj, Page):
        if obj.in_reply_to is not None:
            raise ParseError("a Page cannot reply to something")
        _check_post_like(obj, activity, rules)
    elif isinstance(obj, Note):
        _check_post_like(obj, activity, rules)
    elif isinstance(obj, ChatMessage):
        if obj.attributed_to != activity.actor or not urls.same_domain(obj.id, activity.actor):
            raise ParseError("a ChatMessage must be sent by its author")
        if len(as_list(obj.to)) != 1:
            raise ParseError("a ChatMessage goes to exactly one person")
    elif isinstance(obj, Group) and activity.type == "Update":
        _url(obj.id, rules, "community")
    elif isinstance(obj, Person) and activity.type == "Update":
        if obj.id != activity.actor:
            raise ParseError("Update of another person's profile")
    else:
        raise ParseError(f"{activity.type} of a {obj.type} is not understood")


def _check_delete(activity: a.Activity, rules: Rules) -> None:
    assert isinstance(activity, a.Delete)
    target = activity.object
    if isinstance(target, dict):
        target = target.get("id")  # type: ignore[assignment]
        if not isinstance(target, str):
            raise ParseError("Delete of an embedded object without an id")
    _url(target, rules, "object")


def _check_vote(activity: a.Activity, rules: Rules) -> None:
    assert isinstance(activity, a.Like | a.Dislike)
    _url(activity.object, rules, "object")


def _check_announce(activity: a.Activity, rules: Rules) -> None:
    assert isinstance(activity, a.Announce)
    if not _is_public(activity.to, activity.cc):
        raise ParseError("an Announce must be public")
    if isinstance(activity.object, str):
        _url(activity.object, rules, "object")
        return
    kind = activity.object.get("type")
    if kind in POST_TYPES or kind in PERSON_TYPES:
        return  # Lemmy's duplicate Announce{Page} for Mastodon: accepted, then ignored
    inner = parse_activity(activity.object)
    if isinstance(inner, a.Announce):
        raise ParseError("an Announce of an Announce")
    check_activity(inner, rules, announced=True)


def _check_mod_action(activity: a.Activity, rules: Rules) -> None:
    _url(getattr(activity, "object", ""), rules, "object")
    target = getattr(activity, "target", None)
    if target is not None:
        _url(target, rules, "target")


def _check_flag(activity: a.Activity, rules: Rules) -> None:
    assert isinstance(activity, a.Flag)
    reported = as_list(activity.object)
    if not reported:
        raise ParseError("Flag of nothing")
    for url in reported:
        _url(url, rules, "reported object")
    if len(as_list(activity.to)) != 1:
        raise ParseError("a Flag goes to exactly one community")


def _check_warn(activity: a.Activity, rules: Rules) -> None:
    """Lemmy 1.0's Warn: about one post or comment, to its author alone, with a reason."""
    assert isinstance(activity, a.Warn)
    _url(activity.object, rules, "object")
    if len(as_list(activity.to)) != 1:
        raise ParseError("a Warn goes to exactly one person, the warned author")
    if not activity.summary or not activity.summary.strip():
        raise ParseError("a Warn without a reason (summary)")


_CHECKS = {
    a.Follow: _check_follow,
    a.Accept: _check_accept,
    a.Reject: _check_reject,
    a.Undo: _check_undo,
    a.Create: _check_create_or_update,
    a.Update: _check_create_or_update,
    a.Delete: _check_delete,
    a.Like: _check_vote,
    a.Dislike: _check_vote,
    a.Announce: _check_announce,
    a.Lock: _check_mod_action,
    a.Add: _check_mod_action,
    a.Remove: _check_mod_action,
    a.Block: _check_mod_action,
    a.Flag: _check_flag,
    a.Warn: _check_warn,
}


def object_url(activity: a.Activity) -> str:
    """The URL an activity is about (an embedded object's id, or the URL given)."""
    obj = getattr(activity, "object", None)
    if isinstance(obj, dict):
        found = obj.get("id")
        return found if isinstance(found, str) else ""
    if isinstance(obj, list):
        return obj[0] if obj else ""
    return obj if isinstance(obj, str) else ""
