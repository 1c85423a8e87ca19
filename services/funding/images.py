"""Cover pictures: what a browser sent becomes what the site serves. The picture must
decode as the type it claims; it is re-encoded as WebP at most MAX_IMAGE_WIDTH wide
(Pillow), which leaves its metadata behind (camera, GPS position, comments), and named
by the SHA-256 of the result. The rules (types, sizes) are domain.campaigns'."""
import hashlib
import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from services.funding.domain import campaigns as rules
from shared.errors import invalid

FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
SERVED_AS = "image/webp"


def prepared(content: bytes, media_type: str) -> dict:
    """The picture as stored and served: {id, media_type, width, height, content}.
    Refused (422, on `file`) when it does not decode as `media_type`."""
    rules.check_image(media_type, len(content))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[FORMATS[media_type]]) as picture:
                width, height = picture.size
                if width * height > rules.MAX_IMAGE_PIXELS:
                    raise invalid({"file": ["This picture has too many pixels."]})
                picture.load()
                picture = ImageOps.exif_transpose(picture)  # as the camera held it
                picture = picture.convert("RGBA" if _has_alpha(picture) else "RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise invalid({"file": ["This file is not a readable JPEG, PNG or WebP picture."]}) \
            from None
    size = rules.resized(*picture.size)
    if size != picture.size:
        picture = picture.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "WEBP", quality=82, method=4)  # no exif, no icc, no xmp given
    data = out.getvalue()
    return {"id": hashlib.sha256(data).hexdigest(), "media_type": SERVED_AS,
            "width": size[0], "height": size[1], "content": data}


def _has_alpha(picture) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info)
