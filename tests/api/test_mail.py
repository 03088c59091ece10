"""E-mail through the outbox, received by a real SMTP server (aiosmtpd) started here: who hears
of what, in which language, with one-click unsubscribe; officers learn nothing of who
complained."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from oversight.config import Settings
from oversight.domain.roles import Role
from oversight.worker import Worker
from tests.cases import Cast, respond
from tests.conftest import make_settings
from tests.helpers import Api, assert_problem, free_port, moved, submit

PUBLIC_URL = "https://oversight.example"


class Inbox(MessageHandler):
    def __init__(self) -> None:
        super().__init__(email.message.EmailMessage)
        self.received: list[EmailMessage] = []

    def handle_message(self, message: Any) -> None:
        self.received.append(email.message_from_bytes(bytes(message), policy=email.policy.default))

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
    assert message["Subject"] == f"Su inquietud {code} está ahora en revisión por la comisión"
    assert message["Content-Language"] == "es"
    text = text_of(message)
    assert "Revisaremos el video." in text
    assert f"{PUBLIC_URL}/api/v1/public/concerns/{code}" in text
    assert f'href="{PUBLIC_URL}/api/v1/public/concerns/{code}"' in html_of(message)
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
    due = referred["response_due_at"][:10]
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
