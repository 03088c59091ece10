"""Files the evidence tests upload, made here: photos with GPS EXIF, a PDF, an image whose
header claims more pixels than any camera makes, the EICAR test file."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from pypdf import PdfWriter

from oversight.core.config import Settings
from tests.conftest import make_settings
from tests.helpers import Api, Person

#: The anti-malware test file every scanner detects (eicar.org); harmless.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TEXT = b"Witness statement: the stop lasted 40 minutes.\n"
AUTHOR = "Jane Investigator"


def pdf(pages: int = 1) -> bytes:
    """A PDF whose document information names its author."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    writer.add_metadata({"/Author": AUTHOR, "/Title": "Agenda packet"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf()


def photo(size: tuple[int, int] = (64, 48), *, latitude: float = 37.97) -> bytes:
    """A JPEG with EXIF GPS coordinates, a camera model and an orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Resident's phone"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90
    gps = {1: "N", 2: (latitude, 0.0, 0.0), 3: "W", 4: (122.0, 2.0, 0.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>'
    image.save(out, format="JPEG", exif=exif.tobytes(), xmp=xmp)
    return out.getvalue()


def gps_of(data: bytes) -> dict[int, Any]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(0x8825))


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG whose header claims ``width`` x ``height`` pixels, with almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def zip_bomb() -> bytes:
    """A zip of 100 MB of zeros (about 100 KB): not on the allow-list, never expanded."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.txt", b"\0" * 100_000_000)
    return out.getvalue()


async def upload(
    api: Api,
    url: str,
    who: Person | None,
    data: bytes,
    name: str = "statement.txt",
    media_type: str = "text/plain",
    description: str | None = None,
) -> httpx.Response:
    return await api.client.post(
        url,
        files={"file": (name, data, media_type)},
        data={"description": description} if description else None,
        headers=who.headers if who else {},
    )


def heic_photo() -> bytes:
    """A HEIC photo (as iPhones take them) with GPS EXIF."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.new("RGB", (64, 48), (30, 200, 30))
    exif = Image.Exif()
    exif[0x0110] = "Resident's phone"
    exif[0x8825] = {1: "N", 2: (37.0, 58.0, 12.0)}
    out = io.BytesIO()
    image.save(out, format="HEIF", exif=exif.tobytes())
    return out.getvalue()


def with_store(database_url: str, store_dir: Path, max_bytes: int) -> Settings:
    """The suite's settings with a store of the test's own, to count what is in it."""
    return make_settings(
        database_url, attachments_store=f"file://{store_dir}", attachment_max_bytes=max_bytes
    )


def kept_files(store_dir: Path) -> list[Path]:
    """Every file in the store, staging included."""
    return sorted(p for p in store_dir.rglob("*") if p.is_file())
