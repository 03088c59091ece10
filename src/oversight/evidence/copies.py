"""Copies without metadata, the only form in which anyone but commissioners and the uploader
reads an image or a PDF; the original is never touched.

- An image (Pillow; HEIC through pillow-heif): the pixels, turned as the EXIF orientation says,
  saved anew with no EXIF, XMP, GPS, ICC profile, comment or text chunk. An image larger than
  ``image_max_pixels`` is refused from its header, before a pixel is decoded (a decompression
  bomb).
- A PDF (pypdf): the same pages without the document information dictionary (author, creator,
  producer, dates) and without XMP metadata. A PDF pypdf cannot read, or one over
  ``PDF_COPY_MAX_BYTES``, gets no copy: it stays for commissioners and its uploader only.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps
from pillow_heif import register_heif_opener
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PyPdfError

from oversight.core.errors import Unprocessable
from oversight.evidence import sniff

register_heif_opener()

#: What each image type's stripped copy is saved as: a browser cannot show HEIC.
COPY_AS = {
    sniff.JPEG: ("JPEG", sniff.JPEG),
    sniff.PNG: ("PNG", sniff.PNG),
    sniff.WEBP: ("WEBP", sniff.WEBP),
    sniff.HEIC: ("JPEG", sniff.JPEG),
}


def check_size(path: Path, max_pixels: int) -> None:
    """422 for a file Pillow cannot read as an image, or one over ``max_pixels``: from the
    header only."""
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own check, at the same limit
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_large(f"The image has over {max_pixels} pixels: it is not opened.") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise Unprocessable("The image cannot be read.", loc=("body", "file")) from exc
    if width * height > max_pixels:
        raise _too_large(f"The image is {width}x{height} pixels; at most {max_pixels} are taken.")


def _too_large(detail: str) -> Unprocessable:
    return Unprocessable(detail, loc=("body", "file"))


#: Types read by others only as a copy without metadata.
COPIED = frozenset({*COPY_AS, sniff.PDF})
#: The largest PDF copied (pypdf holds a document's objects in memory).
PDF_COPY_MAX_BYTES = 100_000_000


def stripped_copy(path: Path, media_type: str, target: Path, max_pixels: int) -> str | None:
    """Write the copy of the file at ``path`` to ``target``; its media type, or None when no
    copy could be made (a PDF too large or unreadable: nobody else reads it then)."""
    if media_type == sniff.PDF:
        return _pdf_copy(path, target)
    return _image_copy(path, media_type, target, max_pixels)


def _pdf_copy(path: Path, target: Path) -> str | None:
    if path.stat().st_size > PDF_COPY_MAX_BYTES:
        return None
    try:
        writer = PdfWriter(clone_from=PdfReader(path))
        writer.metadata = None
        writer.xmp_metadata = None
        with target.open("wb") as out:
            writer.write(out)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError):
        target.unlink(missing_ok=True)
        return None
    return sniff.PDF


def _image_copy(path: Path, media_type: str, target: Path, max_pixels: int) -> str:
    check_size(path, max_pixels)
    kind, copy_type = COPY_AS[media_type]
    with Image.open(path) as image:
        turned = ImageOps.exif_transpose(image)
        pixels = turned if turned is not None else image
        if kind == "JPEG" and pixels.mode not in {"RGB", "L"}:
            pixels = pixels.convert("RGB")
        clean = pixels.copy()
        clean.info = {}
        clean.save(target, format=kind, quality=90)
    return copy_type
