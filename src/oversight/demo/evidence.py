"""The demo's evidence: residents' photos (their originals with the GPS position and the phone
in EXIF, as phones write them) on three concerns, and an agenda packet (a PDF) on the latest
meeting, through the same service as an upload."""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageDraw
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from oversight.accounts.models import User
from oversight.concerns.enums import ConcernStatus
from oversight.concerns.models import Concern
from oversight.core.config import Settings
from oversight.core.roles import Actor, Role
from oversight.evidence import service, sniff
from oversight.evidence.enums import TargetType
from oversight.evidence.service import TargetRef
from oversight.evidence.store import Store
from oversight.evidence.upload import Received
from oversight.meetings.models import Meeting

PHOTOS = 3


def photo(rng: random.Random, latitude: float, longitude: float) -> bytes:
    """A phone photo: a street at dusk, with the place it was taken in its EXIF."""
    image = Image.new("RGB", (640, 480), (40, 50, 80))
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 600), rng.randrange(200, 440)
        draw.rectangle((x, y, x + 40, y + 30), fill=(rng.randrange(256), 180, 60))
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Phone maker", "Resident's phone"  # Make, Model

    def dms(value: float) -> tuple[float, float, float]:
        value = abs(value)
        minutes = (value - int(value)) * 60
        return (float(int(value)), float(int(minutes)), round((minutes - int(minutes)) * 60, 2))

    exif[0x8825] = {  # GPSInfo
        1: "N" if latitude >= 0 else "S",
        2: dms(latitude),
        3: "E" if longitude >= 0 else "W",
        4: dms(longitude),
    }
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=85)
    return out.getvalue()


def agenda_packet(title: str) -> bytes:
    """A one-page PDF agenda packet."""
    page = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(page)
    draw.text((80, 80), "Community Police Oversight Commission", fill="black")
    draw.text((80, 110), f"Agenda packet: {title}", fill="black")
    out = io.BytesIO()
    page.save(out, format="PDF")
    return out.getvalue()


def _staged(store: Store, data: bytes, media_type: str, filename: str) -> Received:
    path = store.staged()
    path.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    return Received(path, digest, len(data), media_type, filename, None)


async def seed(session: AsyncSession, settings: Settings, store: Store, rng: random.Random) -> int:
    """Attach the demo's files; returns how many uploads were made."""
    concerns = (
        await session.execute(
            select(Concern.id, Concern.submitted_by, Concern.latitude, Concern.longitude)
            .where(
                Concern.submitted_by.is_not(None),
                Concern.latitude.is_not(None),
                Concern.status != ConcernStatus.CLOSED,
            )
            .order_by(Concern.created_at)
            .limit(PHOTOS)
        )
    ).all()
    made = 0
    for concern_id, resident, latitude, longitude in concerns:
        if resident is None:  # filtered out above; for the type checker
            continue
        received = _staged(
            store,
            photo(rng, latitude or 0.0, longitude or 0.0),
            sniff.JPEG,
            f"IMG_{rng.randrange(1000, 9999)}.jpg",
        )
        actor = Actor(resident, Role.RESIDENT)
        target = TargetRef(TargetType.CONCERN, concern_id)
        await service.add(session, actor, target, received, store=store, settings=settings)
        made += 1
    meeting = await session.scalar(select(Meeting).order_by(Meeting.scheduled_at.desc()).limit(1))
    chair = await session.scalar(select(User).where(User.role == Role.COMMISSIONER).limit(1))
    if meeting is not None and chair is not None:
        packet = _staged(store, agenda_packet(meeting.title), sniff.PDF, "agenda-packet.pdf")
        target = TargetRef(TargetType.MEETING, meeting.id)
        actor = Actor(chair.id, Role.COMMISSIONER)
        await service.add(session, actor, target, packet, store=store, settings=settings)
        made += 1
    return made
