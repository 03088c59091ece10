"""An image's copy without its metadata (Pillow; HEIC through pillow-heif): the pixels, turned
as the EXIF orientation says, saved anew with no EXIF, XMP, GPS, ICC profile, comment or text chunk.
The original is never touched. An image larger than ``image_max_pixels`` is refused from its
header, before a pixel is decoded (a decompression bomb)."""

from __future__ import annotations

import warnings
from pathlib import Path

from PIL import Image, ImageOps
from pillow_heif import register_heif_opener

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


def stripped_copy(path: Path, media_type: str, target: Path, max_pixels: int) -> str:
    """Write the copy of the image at ``path`` to ``target``; its media type."""
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
