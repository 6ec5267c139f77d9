"""Threat image projection (TIP). INTERFACE CONTRACT (implemented on the xray-ml branch)."""

from __future__ import annotations

from PIL import Image


def tip_image_for_officer(*, base: Image.Image, kind: str, seed: int) -> Image.Image:
    """`base` (a parcel's X-ray image) with a synthetic threat of `kind` ("gun", "blade"
    or "shuriken") projected into it at a random place, scale and rotation (from `seed`),
    multiplicatively as X-rays add up; same size and mode RGB."""
    raise NotImplementedError
