"""E-mail: what each message says in English and Spanish, the message itself (plain text and
HTML, one-click unsubscribe per RFC 8058), its unsubscribe token, and sending it (SMTP, or a
file in ``MAIL_DIR`` when no ``SMTP_URL`` is set)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import re
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import Policy
from email.policy import default as default_policy
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit

from markupsafe import escape

from oversight.core.config import Settings
from oversight.notifications.enums import Locale, MessageKind

#: Statuses as a resident reads them.
STATUS_NAMES = {
    Locale.EN: {
        "submitted": "received",
        "triaged": "being reviewed",
        "dismissed": "dismissed",
        "withdrawn": "withdrawn",
        "referred": "referred to the police department",
        "responded": "answered by the police department",
        "under_review": "under review by the commission",
        "scheduled": "scheduled for a commission meeting",
        "resolved": "resolved",
        "closed": "closed",
    },
    Locale.ES: {
        "submitted": "recibida",
        "triaged": "en revisión",
        "dismissed": "desestimada",
        "withdrawn": "retirada",
        "referred": "remitida al departamento de policía",
        "responded": "respondida por el departamento de policía",
        "under_review": "en revisión por la comisión",
        "scheduled": "en la agenda de una reunión de la comisión",
        "resolved": "resuelta",
        "closed": "cerrada",
    },
}

CATALOG: dict[Locale, dict[str, str]] = {
    Locale.EN: {
        "status.subject": "Your concern {code} is now {status}",
        "status.body": "Your concern {code} is now {status}. The commission wrote:",
        "response.subject": "The police department answered your concern {code}",
        "response.body": "The police department has answered your concern {code}. "
        "Its status is now {status}.",
        "referral.subject": "A concern was referred to your department",
        "referral.body": "A concern in the category {category} was referred to your "
        "department. Its response is due by {due}.",
        "link": "Follow it at",
        "referral.link": "Read it in the case system.",
        "unsubscribe": "To stop these messages",
        "unsubscribe.link": "unsubscribe",
    },
    Locale.ES: {
        "status.subject": "Su inquietud {code} está ahora {status}",
        "status.body": "Su inquietud {code} está ahora {status}. La comisión escribió:",
        "response.subject": "El departamento de policía respondió a su inquietud {code}",
        "response.body": "El departamento de policía respondió a su inquietud {code}. "
        "Su estado es ahora: {status}.",
        "referral.subject": "Se remitió una inquietud a su departamento",
        "referral.body": "Se remitió a su departamento una inquietud de la categoría "
        "{category}. La respuesta vence el {due}.",
        "link": "Sígala en",
        "referral.link": "Léala en el sistema de casos.",
        "unsubscribe": "Para no recibir más mensajes",
        "unsubscribe.link": "cancele la suscripción",
    },
}


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


def compose(settings: Settings, message: Any) -> EmailMessage:
    """The message: plain text and HTML, in the recipient's language, with the unsubscribe
    headers of RFC 8058 (a mail client's one-click button POSTs to the link)."""
    locale = Locale(message.locale)
    words, context = CATALOG[locale], dict(message.context)
    if "status" in context:
        context["status"] = STATUS_NAMES[locale].get(context["status"], context["status"])
    kind = MessageKind(message.kind)
    subject = words[f"{kind}.subject"].format(**context)
    lines = [words[f"{kind}.body"].format(**context)]
    if kind is MessageKind.STATUS:
        lines.append(context["note"])
    base = settings.public_url.rstrip("/")
    link = None
    if kind is MessageKind.REFERRAL:
        lines.append(words["referral.link"])
    else:
        link = f"{base}/api/v1/public/concerns/{context['code']}"
    unsubscribe = f"{base}/api/v1/public/unsubscribe?" + urlencode(
        {"token": unsubscribe_token(settings, message.recipient)}
    )
    text = "\n\n".join(lines)
    if link:
        text += f"\n\n{words['link']} {link}"
    text += f"\n\n--\n{words['unsubscribe']}: {unsubscribe}\n"
    html = "".join(f"<p>{escape(line)}</p>" for line in lines)
    if link:
        html += f'<p>{escape(words["link"])} <a href="{escape(link)}">{escape(link)}</a></p>'
    html += (
        f'<hr><p><small>{escape(words["unsubscribe"])}: <a href="{escape(unsubscribe)}">'
        f"{escape(words['unsubscribe.link'])}</a></small></p>"
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
        f'<!DOCTYPE html><html lang="{locale.value}"><body>{html}</body></html>', subtype="html"
    )
    # After the parts exist: making them moves every Content-* header into the first part.
    mail["Content-Language"] = locale.value
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
