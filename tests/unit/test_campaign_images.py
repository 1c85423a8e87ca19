"""Cover pictures as funding stores them (services/funding/images.py): decoded as the
type claimed, re-encoded as WebP without metadata, no wider than the rule says, named by
the hash of their bytes."""
import hashlib
import io

import pytest
from PIL import Image

from services.funding import images
from services.funding.domain import campaigns
from shared.errors import DomainError


def picture(size=(2400, 1600), fmt="JPEG", mode="RGB", **save):
    out = io.BytesIO()
    Image.new(mode, size, (200, 120, 40) if mode == "RGB" else (200, 120, 40, 128)).save(
        out, fmt, **save)
    return out.getvalue()


def with_exif():
    exif = Image.Exif()
    exif[0x010F] = "Appareil de Camille"  # Make
    exif[0x0131] = "Logiciel secret"      # Software
    return picture(exif=exif.tobytes())


def test_a_big_photo_is_resized_re_encoded_and_named_by_its_hash():
    stored = images.prepared(with_exif(), "image/jpeg")
    assert (stored["media_type"], stored["width"], stored["height"]) == ("image/webp", 1200, 800)
    assert stored["id"] == hashlib.sha256(stored["content"]).hexdigest()
    with Image.open(io.BytesIO(stored["content"])) as served:
        assert served.format == "WEBP" and served.size == (1200, 800)
        assert not served.getexif() and "exif" not in served.info
    assert b"Appareil de Camille" not in stored["content"]


def test_a_transparent_png_keeps_its_transparency_and_a_small_one_its_size():
    stored = images.prepared(picture((300, 200), "PNG", "RGBA"), "image/png")
    with Image.open(io.BytesIO(stored["content"])) as served:
        assert served.size == (300, 200) and served.mode == "RGBA"


def test_the_same_picture_twice_is_the_same_stored_picture():
    assert images.prepared(picture(), "image/jpeg")["id"] == \
        images.prepared(picture(), "image/jpeg")["id"]


@pytest.mark.parametrize("content, media_type", [
    (b"not a picture at all", "image/jpeg"),
    (picture(fmt="PNG"), "image/jpeg"),          # not what it claims
    (picture()[:400], "image/jpeg"),             # cut short
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/png"),
])
def test_what_does_not_decode_as_the_type_it_claims_is_refused(content, media_type):
    with pytest.raises(DomainError) as raised:
        images.prepared(content, media_type)
    assert raised.value.kind == "invalid" and "file" in raised.value.details["fields"]


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = picture((10_000, 5_000), "PNG", "RGB", optimize=True)  # 50 Mpx, tiny file
    assert len(bomb) < campaigns.MAX_IMAGE_BYTES
    with pytest.raises(DomainError) as raised:
        images.prepared(bomb, "image/png")
    assert "file" in raised.value.details["fields"]
