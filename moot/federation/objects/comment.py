"""Note: a comment as Lemmy sends it, and the comment fields a received Note gives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from moot.db.engine import Row
from moot.federation import urls
from moot.federation.objects.common import language_id, language_tag, markdown_of, source, stamp
from moot.federation.objects.post import attachments
from moot.federation.protocol.common import PUBLIC, Tag
from moot.federation.protocol.objects import Note


def mention(actor_id: str, name: str) -> Tag:
    return Tag(type="Mention", href=actor_id, name=f"@{name}@{urls.written_authority(actor_id)}")


def note_json(
    comment: Row,
    creator_actor: str,
    community: Row,
    in_reply_to: str,
    parent_creator: Row,
    mentioned: Sequence[Row] = (),
) -> Note:
    """`parent_creator` is the author of the parent comment, or of the post at top level;
    `mentioned` are the persons the text names as `@name@host`, tagged and addressed too."""
    community_actor = str(community["actor_id"])
    addressed = {str(parent_creator["actor_id"]): parent_creator}
    for person in mentioned:
        addressed.setdefault(str(person["actor_id"]), person)
    return Note(
        type="Note",
        id=comment["ap_id"],
        attributed_to=creator_actor,
        to=[PUBLIC],
        cc=[community_actor, *addressed],
        audience=community_actor,
        in_reply_to=in_reply_to,
        content=comment["content_html"] or "",
        media_type="text/html",
        source=source(comment["content"]),
        tag=[mention(actor, str(person["name"])) for actor, person in addressed.items()],
        distinguished=bool(comment["distinguished"]),
        language=language_tag(comment["language_id"]),
        published=stamp(comment["published"]),
        updated=stamp(comment["updated"]),
    )


@dataclass(frozen=True)
class CommentFields:
    content: str
    language_id: int | None


def comment_fields(note: Note) -> CommentFields:
    text = markdown_of(note.content, note.media_type, note.source)
    # Lemmy appends attachments to the text, as links or images.
    for item in attachments(note.attachment):
        link = item.href if item.type == "Link" else item.url
        if link:
            label = item.name or link
            text += f"\n\n{'!' if item.type == 'Image' else ''}[{label}]({link})"
    return CommentFields(content=text.strip() or "(empty)", language_id=language_id(note.language))
