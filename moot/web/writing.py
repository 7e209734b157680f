"""What the writing forms share (a post's text, a comment, a reply, a message): a preview
of the text as it will be shown, a picture sent with the form added to the text, the
site's custom emoji to pick from, and the length limit said before and after sending.

The preview is the form sent back with its Preview button: the page comes again with the
text rendered above it by the renderer and the limit the action itself uses, and nothing
is stored but a picture chosen with it (which is then in the text, as an address).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.datastructures import UploadFile

from moot import validation
from moot.actions import emoji
from moot.auth import Viewer
from moot.db.engine import Connection
from moot.errors import ApiError, ErrorCode
from moot.request_context import required_viewer
from moot.state import Moot
from moot.text.markdown import Emoji, render_markdown_aside
from moot.web import uploads
from moot.web.errors import words
from moot.web.pages import AnyRequest

COMMENT_LIMIT = validation.BODY_MAX_LENGTH
MESSAGE_LIMIT = validation.BODY_MAX_LENGTH
POST_BODY_LIMIT = validation.POST_BODY_MAX_LENGTH


@dataclass(frozen=True)
class Draft:
    """A text being written, as its form shows it again: the text, its rendering when a
    preview was asked for, and why it cannot be shown (too long) when it cannot."""

    text: str
    preview: str | None = None
    problem: str | None = None


def wants_preview(form: Any) -> bool:
    return bool(form.get("preview"))


async def emoji_choices(conn: Connection) -> list[Emoji]:
    """The site's custom emoji for the picker, in shortcode order."""
    return sorted((await emoji.for_rendering(conn)).values(), key=lambda e: e.shortcode)


async def preview(conn: Connection, text: str, limit: int) -> Draft:
    """`text` rendered as it will be shown; a text over `limit` is not rendered."""
    try:
        validation.check_body(text, limit)
    except ApiError as exc:
        return Draft(text, problem=refusal(exc, text, limit))
    if not text.strip():
        return Draft(text, problem="There is nothing to preview yet.")
    return Draft(text, await render_markdown_aside(text, await emoji.for_rendering(conn)))


def refusal(exc: ApiError, text: str, limit: int) -> str:
    """A refused text in words; a too-long one says the limit and its own length (Lemmy's
    code for it, invalid_body_field, names neither)."""
    length = validation.utf16_len(text)
    if exc.code is ErrorCode.INVALID_BODY_FIELD and length > limit:
        return f"The text is too long: {length:,} characters, and the limit is {limit:,}."
    return words(exc)


def has_picture(form: Any) -> bool:
    part = form.get("picture")
    return isinstance(part, UploadFile) and bool(part.filename)


@dataclass
class Written:
    """A text as sent, with the picture chosen beside it added at its end as Markdown
    (`![](address)`), the picture stored as the API's uploads are."""

    text: str
    picture: uploads.Uploaded | None = None
    viewer: Viewer | None = None

    async def take_back(self, moot: Moot) -> None:
        """The form was refused: its picture is deleted again, as a failed post's is."""
        if self.viewer is not None:
            await uploads.discard(moot, self.viewer, self.picture)


async def written(moot: Moot, request: AnyRequest, form: Any, text: str) -> Written:
    """`text` with the form's picture, if one was chosen; a file that is no picture is
    refused (ApiError) with nothing kept. Only a picture or a preview reads the viewer
    before the action does."""
    if not (has_picture(form) or wants_preview(form)):
        return Written(text)
    async with moot.db.connection() as conn:
        viewer = await required_viewer(conn, request)
    picture = await uploads.picture_from(moot, viewer, form, "picture")
    if picture is None:
        return Written(text, viewer=viewer)
    separator = "\n\n" if text.strip() else ""
    return Written(f"{text.rstrip()}{separator}![]({picture.url})", picture, viewer)
