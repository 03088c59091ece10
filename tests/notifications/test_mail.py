"""E-mail through the outbox, received by a real SMTP server (aiosmtpd) started here: who hears
of what, in which language, with one-click unsubscribe; officers learn nothing of who
complained."""

from __future__ import annotations

import email
import email.policy
import re
import time
import uuid
from collections.abc import Iterator
from datetime import date
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler
from babel.dates import format_date

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications import messages
from oversight.notifications.worker import Worker
from tests.cases import Cast, respond
from tests.conftest import make_settings
from tests.helpers import (
    PASSWORD,
    Api,
    assert_problem,
    concern_body,
    free_port,
    moved,
    run_cli,
    serve,
    submit,
)

PUBLIC_URL = "https://oversight.example"


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__(email.message.EmailMessage)
        self.received: list[EmailMessage] = []
        #: Each message as it came over the wire, before any parser tidied it.
        self.raw: list[bytes] = []

    def prepare_message(self, session: Any, envelope: Any) -> Any:
        # Parsed from the bytes received (re-serializing aiosmtpd's parse would refold them).
        raw = bytes(envelope.original_content)
        self.raw.append(raw)
        self.received.append(email.message_from_bytes(raw, policy=email.policy.default))
        return super().prepare_message(session, envelope)

    def handle_message(self, message: Any) -> None:
        pass

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.received if m["To"] == address]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture
def mail_settings(settings: Settings, inbox: tuple[Inbox, int]) -> Settings:
    return make_settings(
        settings.database_url, smtp_url=f"smtp://127.0.0.1:{inbox[1]}", public_url=PUBLIC_URL
    )


async def deliver(api: Api, settings: Settings) -> int:
    worker = Worker(settings, api.database)
    try:
        return await worker.run_once()
    finally:
        await worker.close()


def text_of(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def html_of(message: EmailMessage) -> str:
    body = message.get_body(("html",))
    assert body is not None
    return str(body.get_content())


async def test_the_submitter_hears_of_a_public_note_in_their_language(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    changed = await api.client.patch(
        "/api/v1/users/me", json={"locale": "es"}, headers=cast.resident.headers
    )
    assert changed.status_code == 200 and changed.json()["locale"] == "es"
    concern = await submit(api, cast.resident)
    await moved(api, cast.commissioner, concern, "triaged")  # no public note: no message
    assert await deliver(api, mail_settings) == 0
    await moved(
        api, cast.commissioner, concern, "under_review", public_note="Revisaremos el video."
    )
    assert await deliver(api, mail_settings) == 1
    [message] = inbox[0].to(cast.resident.email)
    code = concern["tracking_code"]
    assert message["Subject"] == f"Su queja {code} está ahora en revisión por la comisión"
    assert message["Content-Language"] == "es"
    text = text_of(message)
    assert "Revisaremos el video." in text
    assert f"Sígala en {PUBLIC_URL}/track?code={code}" in text
    assert f'href="{PUBLIC_URL}/track?code={code}"' in html_of(message)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(f"<{PUBLIC_URL}/api/v1/public/unsubscribe?token=")


async def test_officers_hear_of_a_referral_by_category_and_due_date_only(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    colleague = await api.person(Role.OFFICER, department_id=cast.department)
    elsewhere = await api.person(Role.OFFICER)
    concern = await submit(
        api,
        cast.resident,
        category="stop_search_arrest",
        summary="Searched without a reason",
        description="Secret details only the commission may read.",
    )
    await moved(api, cast.commissioner, concern, "triaged")
    referred = await moved(
        api, cast.commissioner, concern, "referred", department_id=str(cast.department)
    )
    await deliver(api, mail_settings)
    # The due date as people write it (Babel, the recipient's language).
    due = format_date(date.fromisoformat(referred["response_due_at"][:10]), "long", locale="en")
    for officer in (cast.officer, colleague):
        [message] = inbox[0].to(officer.email)
        assert message["Subject"] == "A concern was referred to your department"
        text = text_of(message)
        assert "Stop, search or arrest" in text and due in text
        everything = message.as_string()
        for secret in (
            concern["tracking_code"],
            "Searched without a reason",
            "Secret details",
            cast.resident.email,
            str(cast.resident.id),
        ):
            assert secret not in everything
    assert inbox[0].to(elsewhere.email) == []
    assert inbox[0].to(cast.resident.email) == []  # no public note

    # The department's response: the submitter hears of it.
    assert (await respond(api, cast.officer, concern)).status_code == 201
    await deliver(api, mail_settings)
    [answer] = inbox[0].to(cast.resident.email)
    assert answer["Subject"] == (
        f"The police department answered your concern {concern['tracking_code']}"
    )


async def test_an_anonymous_submitter_is_written_to_at_the_contact_address(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    concern = await submit(api, None, contact_email="Anon@Example.org", locale="en")
    await moved(
        api,
        cast.commissioner,
        concern,
        "dismissed",
        reason="out of remit",
        public_note="This is for the city's parking office.",
    )
    await deliver(api, mail_settings)
    [message] = inbox[0].to("anon@example.org")
    assert "parking office" in text_of(message)
    assert message["Content-Language"] == "en"


async def test_one_click_unsubscribe_stops_queued_and_future_messages(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    concern = await submit(api, cast.resident, kind="inquiry")
    await moved(api, cast.commissioner, concern, "triaged", public_note="First.")
    await deliver(api, mail_settings)
    [first] = inbox[0].to(cast.resident.email)
    link = first["List-Unsubscribe"].strip("<>")
    path = link.removeprefix(PUBLIC_URL)

    page = await api.client.get(path)  # a scanner following the link changes nothing
    assert page.status_code == 200 and '<form method="post"' in page.text
    assert page.headers["cache-control"] == "private, no-store"
    await moved(api, cast.commissioner, concern, "under_review", public_note="Second.")
    clicked = await api.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200 and clicked.json() == {"unsubscribed": True}
    again = await api.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    await moved(
        api, cast.commissioner, concern, "resolved", disposition="acknowledged", public_note="3."
    )
    await deliver(api, mail_settings)
    assert len(inbox[0].to(cast.resident.email)) == 1  # the queued second skipped, no third

    forged = path.replace("token=", "token=x")
    assert_problem(await api.client.post(forged), 422)
    assert_problem(await api.client.get("/api/v1/public/unsubscribe?token=not-a-token-at-all"), 422)


async def test_without_smtp_messages_land_in_the_mail_folder(
    api: Api, cast: Cast, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "outbox-mail"
    dev = make_settings(settings.database_url, mail_dir=str(folder))
    concern = await submit(api, cast.resident)
    await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    await deliver(api, dev)
    [written] = list(folder.glob("*.eml"))
    message = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert message["To"] == cast.resident.email
    assert "Noted." in text_of(message)


async def test_a_locale_is_en_or_es(api: Api, cast: Cast) -> None:
    for body in ({"locale": "fr"}, {"locale": None}, {"display_name": ""}):
        response = await api.client.patch(
            "/api/v1/users/me", json=body, headers=cast.resident.headers
        )
        assert_problem(response, 422)
    me = await api.client.get("/api/v1/users/me", headers=cast.resident.headers)
    assert me.json()["locale"] == "en"


async def test_admins_see_every_message_state(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    admin = await api.person(Role.ADMIN)
    concern = await submit(api, cast.resident, kind="inquiry")
    await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    listed = await api.client.get("/api/v1/messages", headers=admin.headers)
    assert [(m["recipient"], m["kind"], m["status"]) for m in listed.json()["items"]] == [
        (cast.resident.email, "status", "pending")
    ]
    await deliver(api, mail_settings)
    sent = await api.client.get(
        "/api/v1/messages", params={"status": "sent"}, headers=admin.headers
    )
    assert [m["attempts"] for m in sent.json()["items"]] == [1]
    for person in (cast.commissioner, cast.officer, cast.resident):
        assert_problem(await api.client.get("/api/v1/messages", headers=person.headers), 403)


@pytest.mark.slow
def test_make_run_delivers_from_inside_the_api_process(settings: Settings, tmp_path: Path) -> None:
    """SQLite's single process: `oversight serve` with the worker inside writes the messages
    to the mail folder by itself."""
    folder = tmp_path / "outbox-mail"
    extra = {"OVERSIGHT_WORKER_IN_PROCESS": "true", "OVERSIGHT_MAIL_DIR": str(folder)}
    with serve(settings, extra) as base:
        anonymous = httpx.post(
            f"{base}/api/v1/concerns",
            json=concern_body(kind="inquiry", contact_email="walk@example.org"),
            timeout=10,
        )
        assert anonymous.status_code == 201, anonymous.text
        commissioner = run_cli(
            settings,
            "users",
            "create",
            "--email",
            "chair@example.org",
            "--display-name",
            "Chair",
            "--role",
            "commissioner",
            "--password-stdin",
            stdin=f"{PASSWORD}\n",
        )
        assert commissioner.returncode == 0, commissioner.stderr
        token = httpx.post(
            f"{base}/api/v1/auth/token",
            data={"username": "chair@example.org", "password": PASSWORD},
            timeout=10,
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}", "If-Match": '"1"'}
        moved_ = httpx.post(
            f"{base}/api/v1/concerns/{anonymous.json()['id']}/transitions",
            json={"to": "triaged", "public_note": "We have your letter."},
            headers=headers,
            timeout=10,
        )
        assert moved_.status_code == 200, moved_.text
        deadline = time.monotonic() + 15
        while not list(folder.glob("*.eml")) and time.monotonic() < deadline:
            time.sleep(0.2)
    [written] = list(folder.glob("*.eml"))
    assert b"We have your letter." in written.read_bytes()


async def test_an_unreachable_smtp_server_is_retried(
    api: Api, cast: Cast, settings: Settings
) -> None:
    admin = await api.person(Role.ADMIN)
    down = make_settings(settings.database_url, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    concern = await submit(api, cast.resident, kind="inquiry")
    await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    await deliver(api, down)
    [message] = (await api.client.get("/api/v1/messages", headers=admin.headers)).json()["items"]
    assert (message["status"], message["attempts"]) == ("pending", 1)
    assert message["last_error"]
    assert await deliver(api, down) == 0  # not due again for 5 seconds


@pytest.mark.parametrize(
    "token",
    [
        "YWJj.ééééééé",  # valid base64, then text that is not ASCII
        "YWJj." + "ü" * 32,
        "w6k.abcdefghijklmnopqrstuvwxyz012345",  # the address itself not ASCII
    ],
)
async def test_a_token_that_is_not_ascii_is_a_bad_token_not_a_500(api: Api, token: str) -> None:
    for method in ("GET", "POST"):
        response = await api.client.request(
            method, "/api/v1/public/unsubscribe", params={"token": token}
        )
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["loc"] == ["query", "token"]


def raw_header(raw: bytes, name: bytes) -> bytes:
    """A header field exactly as sent: its first line and its continuation lines."""
    head = raw.split(b"\r\n\r\n", 1)[0]
    lines = head.split(b"\r\n")
    found = [i for i, line in enumerate(lines) if line.lower().startswith(name.lower() + b":")]
    assert len(found) == 1, head
    end = found[0] + 1
    while end < len(lines) and lines[end][:1] in (b" ", b"\t"):
        end += 1
    return b"\r\n".join(lines[found[0] : end])


async def test_list_unsubscribe_is_a_plain_url_in_angle_brackets_on_the_wire(
    api: Api, cast: Cast, inbox: tuple[Inbox, int], mail_settings: Settings
) -> None:
    """RFC 2369 and 8058: a mail client's one-click button reads `<https://...>`; an RFC 2047
    encoded word (`=?utf-8?q?=3Chttps...`) is no link at all. A long address makes the field
    longer than a line: it may be folded only where the URL is not."""
    address = "a.resident.with.a.rather.long.name.indeed@neighbourhood.example.org"
    concern = await submit(api, None, contact_email=address, locale="en")
    await moved(api, cast.commissioner, concern, "triaged", public_note="Noted.")
    assert await deliver(api, mail_settings) == 1
    [raw] = inbox[0].raw
    field = raw_header(raw, b"List-Unsubscribe")
    token = messages.unsubscribe_token(mail_settings, address)
    url = f"{PUBLIC_URL}/api/v1/public/unsubscribe?token={token}"
    assert field == f"List-Unsubscribe: <{url}>".encode(), field
    unfolded = re.sub(rb"\r\n(?=[ \t])", b"", field)
    assert unfolded.split(b":", 1)[1].strip() == f"<{url}>".encode()
    assert raw_header(raw, b"List-Unsubscribe-Post") == (
        b"List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    )
    [parsed] = inbox[0].to(address)
    assert parsed["List-Unsubscribe"] == f"<{url}>"


def test_a_referral_in_spanish_reads_as_spanish_dates_and_all(settings: Settings) -> None:
    """The e-mails come from the site's catalogs: the words, and the date as people write it."""
    referral = SimpleNamespace(
        id=uuid.uuid4(),
        kind="referral",
        locale="es",
        recipient="agente@example.org",
        context={"category": "Uso de la fuerza", "due": "2026-12-18"},
    )
    mail = messages.compose(settings, referral)
    assert mail["Subject"] == "Se remitió una queja a su departamento"
    assert mail["Content-Language"] == "es"
    text = text_of(mail)
    assert "categoría Uso de la fuerza" in text
    assert "La respuesta vence el 18 de diciembre de 2026." in text
    assert "Léala en el sistema de casos." in text
    assert "Para no recibir más mensajes" in text
