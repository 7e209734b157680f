"""Outgoing mail over SMTP, from the standard library's smtplib.

smtplib blocks, so each mail is sent in a worker thread, never on the event loop. Actions
send after their transaction commits: a slow mail server then holds no database lock.
"""

from __future__ import annotations

import asyncio
import html
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from moot.config import Settings
from moot.errors import ApiError, ErrorCode

log = logging.getLogger(__name__)

_TIMEOUT_SECONDS = 30
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


@dataclass(frozen=True)
class Mail:
    """One plain-text mail with a link; the HTML part says the same with the link live."""

    to: str
    subject: str
    text: str
    link: str


def require_mail(settings: Settings) -> None:
    """Refuses, before anything is written, an action that will have to send a mail."""
    if not settings.mail_enabled:
        raise ApiError(ErrorCode.NO_EMAIL_SETUP)


def _message(settings: Settings, mail: Mail) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.smtp_from or f"noreply@{settings.hostname}"
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=settings.hostname)
    message.set_content(f"{mail.text}\n\n{mail.link}\n")
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in mail.text.split("\n\n"))
    link = html.escape(mail.link, quote=True)
    message.add_alternative(
        f'<!doctype html><html><body>{paragraphs}<p><a href="{link}">{link}</a></p></body></html>',
        subtype="html",
    )
    return message


def _send_blocking(settings: Settings, message: EmailMessage) -> None:
    mode = settings.smtp_tls.lower()
    if mode not in _DEFAULT_PORTS:
        raise ValueError(f"MOOT_SMTP_TLS must be none, starttls or tls, not {mode!r}")
    port = settings.smtp_port or _DEFAULT_PORTS[mode]
    smtp: smtplib.SMTP
    if mode == "tls":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host, port, timeout=_TIMEOUT_SECONDS, context=ssl.create_default_context()
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, port, timeout=_TIMEOUT_SECONDS)
    with smtp:
        if mode == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        smtp.send_message(message)


async def send(settings: Settings, mail: Mail) -> None:
    """Sends one mail; a mail server that refuses or cannot be reached is `email_send_failed`."""
    require_mail(settings)
    message = _message(settings, mail)
    try:
        await asyncio.to_thread(_send_blocking, settings, message)
    except (smtplib.SMTPException, OSError, ValueError) as exc:
        log.warning("mail to %s not sent: %s", mail.to, exc)
        raise ApiError(ErrorCode.EMAIL_SEND_FAILED) from exc
