"""Turning an outbox row into an RFC 5322 message and handing it over: to an SMTP server
(``LSPHUB_SMTP_URL``) or, without one, to an ``.eml`` file under ``LSPHUB_MAIL_DIR``.

``LSPHUB_SMTP_URL`` forms:

- ``smtp://host:25`` — plain SMTP (a local relay);
- ``smtp://user:password@host:587?starttls=true`` — submission with STARTTLS (required: the
  connection fails rather than send credentials in clear);
- ``smtps://user:password@host:465`` — implicit TLS.

User and password are URL-encoded (``%40`` for ``@``).
"""

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from api.core import clock
from api.core.settings import get_settings

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Mail:
    """What the sender needs of an outbox row, detached from any session."""

    id: int
    to_address: str
    to_name: str | None
    subject: str
    text_body: str
    html_body: str
    message_id: str
    unsubscribe_url: str | None
    attachments: list[dict[str, Any]] = field(default_factory=list)


def build(mail: Mail, sender: str | None = None) -> EmailMessage:
    """multipart/alternative (text, then HTML), inside multipart/mixed when there are
    attachments; ``List-Unsubscribe`` with RFC 8058 one-click when the category allows it."""
    msg = EmailMessage()
    msg["From"] = sender or get_settings().mail_from
    msg["To"] = formataddr((mail.to_name or "", mail.to_address))
    msg["Subject"] = mail.subject
    msg["Date"] = format_datetime(clock.now())
    msg["Message-ID"] = mail.message_id
    msg["Auto-Submitted"] = "auto-generated"
    if mail.unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{mail.unsubscribe_url}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(mail.text_body)
    msg.add_alternative(mail.html_body, subtype="html")
    for item in mail.attachments:
        maintype, _, subtype = item["content_type"].partition("/")
        params = {}
        if maintype == "text" and subtype == "calendar" and item.get("method"):
            params["method"] = item["method"]
        msg.add_attachment(
            item["content"], subtype=subtype, filename=item["filename"], params=params
        )
    return msg


class Transport(Protocol):
    def send(self, msg: EmailMessage, mail: Mail) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpConfig:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError("LSPHUB_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
    query = {k: v[-1].lower() for k, v in parse_qs(parts.query).items()}
    implicit = parts.scheme == "smtps"
    starttls = not implicit and query.get("starttls", "false") in ("1", "true", "yes")
    port = parts.port or (465 if implicit else 587 if starttls else 25)
    return SmtpConfig(
        host=parts.hostname,
        port=port,
        implicit_tls=implicit,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class SmtpTransport:
    """One connection for a batch, opened on the first message."""

    def __init__(self, config: SmtpConfig, sender: str) -> None:
        self.config = config
        self.sender = sender
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if c.implicit_tls:
            smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=TIMEOUT_SECONDS)
            if c.starttls:
                smtp.starttls(context=context)
        if c.username:
            smtp.login(c.username, c.password or "")
        return smtp

    def send(self, msg: EmailMessage, mail: Mail) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(msg, to_addrs=[mail.to_address])
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class FileTransport:
    """Development: each message becomes ``<dir>/<outbox id>.eml`` (written beside and renamed
    into place, so a reader never sees half a file and a second attempt replaces the first)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, msg: EmailMessage, mail: Mail) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{mail.id:08d}.eml"
        draft = final.with_suffix(f".{os.getpid()}.tmp")
        draft.write_bytes(msg.as_bytes())
        draft.replace(final)

    def close(self) -> None:
        pass


def transport() -> Transport:
    settings = get_settings()
    if settings.smtp_url is None:
        return FileTransport(Path(settings.mail_dir))
    return SmtpTransport(parse_smtp_url(settings.smtp_url.get_secret_value()), settings.mail_from)
