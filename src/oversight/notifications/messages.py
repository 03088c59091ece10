"""E-mail: what each message says (in English, marked for the catalogs the site uses, which
translate it), the message itself (plain text and HTML, one-click unsubscribe per RFC 8058),
its unsubscribe token, and sending it (SMTP, or a file in ``MAIL_DIR`` when no ``SMTP_URL`` is
set)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from datetime import date
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from babel.dates import format_date
from markupsafe import escape

from oversight.core.config import Settings
from oversight.core.language import C_, N_, translations
from oversight.notifications.enums import Locale, MessageKind

#: Statuses as a resident reads them, in the middle of "Your concern ... is now ...".
STATUSES = {
    "submitted": C_("email status", "received"),
    "triaged": C_("email status", "being reviewed"),
    "dismissed": C_("email status", "dismissed"),
    "withdrawn": C_("email status", "withdrawn"),
    "referred": C_("email status", "referred to the police department"),
    "responded": C_("email status", "answered by the police department"),
    "under_review": C_("email status", "under review by the commission"),
    "scheduled": C_("email status", "scheduled for a commission meeting"),
    "resolved": C_("email status", "resolved"),
    "closed": C_("email status", "closed"),
}
SUBJECTS = {
    MessageKind.STATUS: N_("Your concern %(code)s is now %(status)s"),
    MessageKind.RESPONSE: N_("The police department answered your concern %(code)s"),
    MessageKind.REFERRAL: N_("A concern was referred to your department"),
}
OPENINGS = {
    MessageKind.STATUS: N_("Your concern %(code)s is now %(status)s. The commission wrote:"),
    MessageKind.RESPONSE: N_(
        "The police department has answered your concern %(code)s. Its status is now %(status)s."
    ),
    MessageKind.REFERRAL: N_(
        "A concern in the category %(category)s was referred to your department. Its response "
        "is due by %(due)s."
    ),
}
FOLLOW = N_("Follow it at")
READ_IT = N_("Read it in the case system.")
STOP = N_("To stop these messages")
UNSUBSCRIBE = N_("unsubscribe")


def unsubscribe_token(settings: Settings, email: str) -> str:
    """The address and a MAC of it: only this service can make one."""
    mac = hmac.new(settings.signing_key.encode(), b"unsubscribe:" + email.encode(), hashlib.sha256)
    address = base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")
    return f"{address}.{mac.hexdigest()[:32]}"


def email_of(settings: Settings, token: str) -> str | None:
    """The address a token names, or None if it is not one of ours."""
    address, _, _ = token.partition(".")
    try:
        email = base64.urlsafe_b64decode(address + "=" * (-len(address) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    # Bytes: compare_digest refuses str with anything but ASCII (a TypeError, a 500), and a
    # token is what anyone puts in a query string.
    expected = unsubscribe_token(settings, email).encode()
    given = token.encode("utf-8", "surrogatepass")
    return email if hmac.compare_digest(expected, given) else None


_URLS = re.compile(r"\s*<[^<>\s]*>(\s*,\s*<[^<>\s]*>)*\s*")


class _UrlListHeader(UnstructuredHeader, BaseHeader):
    """``List-Unsubscribe`` (RFC 2369): angle-bracketed URLs written as they are. The ``email``
    package would fold a line longer than 78 characters that has no space in it by turning it
    into RFC 2047 encoded words (``=?utf-8?q?=3Chttps...``), which no mail client reads as a
    link; here a long field is folded only between two URLs, never inside one (a URL of ours
    is well under the 998-character limit of a line)."""

    def fold(self, *, policy: Policy) -> str:
        text = str(self)
        if not (text.isascii() and _URLS.fullmatch(text)):
            return super().fold(policy=policy)
        items = re.findall(r"<[^<>]*>", text)
        width = policy.max_line_length or 998
        lines, line = [], f"{self.name}: {items[0]}"
        for item in items[1:]:
            if len(line) + 2 + len(item) > width:
                lines.append(line + ",")
                line = " " + item
            else:
                line += ", " + item
        lines.append(line)
        return policy.linesep.join(lines) + policy.linesep


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _UrlListHeader)
_POLICY = default_policy.clone(header_factory=_HEADERS)


def _words(kind: MessageKind, context: dict[str, Any], language: str) -> dict[str, str]:
    """The message's facts as its reader reads them: the status in words, the date by Babel."""
    catalog = translations(language)
    facts = {key: str(value) for key, value in context.items()}
    if "status" in facts:
        words = STATUSES.get(facts["status"])
        if words is not None:
            facts["status"] = str(catalog.pgettext("email status", words))
    if kind is MessageKind.REFERRAL and facts.get("due"):
        facts["due"] = format_date(date.fromisoformat(facts["due"]), "long", locale=language)
    return facts


def compose(settings: Settings, message: Any) -> EmailMessage:
    """The message: plain text and HTML, in the recipient's language (the site's catalogs),
    with the unsubscribe headers of RFC 8058 (a mail client's one-click button POSTs to the
    link)."""
    language = Locale(message.locale).value
    gettext = translations(language).gettext
    kind = MessageKind(message.kind)
    facts = _words(kind, dict(message.context), language)
    subject = gettext(SUBJECTS[kind]) % facts
    lines = [gettext(OPENINGS[kind]) % facts]
    if kind is MessageKind.STATUS:
        lines.append(facts["note"])
    base = settings.public_url.rstrip("/")
    link = None
    if kind is MessageKind.REFERRAL:
        lines.append(gettext(READ_IT))
    else:
        link = f"{base}/track?" + urlencode({"code": facts["code"]})
    unsubscribe = f"{base}/api/v1/public/unsubscribe?" + urlencode(
        {"token": unsubscribe_token(settings, message.recipient)}
    )
    text = "\n\n".join(lines)
    if link:
        text += f"\n\n{gettext(FOLLOW)} {link}"
    text += f"\n\n--\n{gettext(STOP)}: {unsubscribe}\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    if link:
        html += f'<p>{escape(gettext(FOLLOW))} <a href="{escape(link)}">{escape(link)}</a></p>'
    html += (
        f'<hr><p><small>{escape(gettext(STOP))}: <a href="{escape(unsubscribe)}">'
        f"{escape(gettext(UNSUBSCRIBE))}</a></small></p>"
    )
    mail = EmailMessage(policy=_POLICY)
    mail["Subject"] = subject
    mail["From"] = settings.mail_from
    mail["To"] = message.recipient
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(idstring=str(message.id))
    mail["List-Unsubscribe"] = f"<{unsubscribe}>"
    mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(text)
    mail.add_alternative(
        f'<!DOCTYPE html><html lang="{language}"><body>{html}</body></html>', subtype="html"
    )
    # After the parts exist: making them moves every Content-* header into the first part.
    mail["Content-Language"] = language
    return mail


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


async def send(settings: Settings, mail: EmailMessage, name: str) -> None:
    """Through ``SMTP_URL``, or into ``MAIL_DIR`` as ``name.eml``."""
    if settings.smtp_url is None:
        await asyncio.to_thread(_write, Path(settings.mail_dir) / f"{name}.eml", bytes(mail))
        return
    import aiosmtplib

    url = urlsplit(settings.smtp_url)
    secure = url.scheme == "smtps"
    await aiosmtplib.send(
        mail,
        hostname=url.hostname,
        port=url.port or (465 if secure else 587),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        use_tls=secure,
        timeout=10,
    )
