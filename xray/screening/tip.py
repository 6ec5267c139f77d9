"""Threat image projection (TIP): an object's X-ray projected into a bag's X-ray.

X-rays are attenuated by everything on their way, so an object inside a bag multiplies
the bag's transmission by its own: out = bag * object. Training data is built that way
from real threat and benign crops projected into real benign bags, so that a threat
image and a benign image of the same bag differ only by the object; officers' TIP tests
project synthetic threats into a parcel's own image the same way.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageFilter

from xray.screening.synthetic import synthetic_object, transmission_to_image

TIP_KINDS = ("gun", "blade", "shuriken")
# The object's longest side as a share of the bag's shorter side: real threats in a
# parcel are between a fifth and half of it across.
SCALE_RANGE = (0.22, 0.45)


def transmission_of(image: Image.Image) -> np.ndarray:
    """An 8-bit image as an HxWx3 float32 transmission array in [0, 1]."""
    return np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0


def crop_transmission(image: Image.Image) -> np.ndarray:
    """A real crop's transmission, divided by its own background level (its bright
    percentile), so that the rectangle around the object multiplies the bag by about 1
    and only the object (and what was scanned with it) darkens it."""
    grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    background = max(float(np.percentile(grey, 97)), 0.2)
    return np.clip(grey / background, 0.0, 1.0)


def _object_layers(obj: np.ndarray, *, length: int, angle: float, flip: bool) -> tuple[np.ndarray, np.ndarray]:
    """The object scaled to `length` px on its longest side, flipped and rotated, and the
    feathered mask of where it lies (its rectangle after rotation)."""
    channels = obj.shape[2] if obj.ndim == 3 else 1
    height, width = obj.shape[:2]
    factor = length / max(height, width)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    planes = [obj] if channels == 1 else [obj[..., c] for c in range(channels)]
    rotated = []
    for plane in planes:
        layer = Image.fromarray(np.asarray(plane, dtype=np.float32), "F").resize(size, Image.Resampling.BILINEAR)
        if flip:
            layer = layer.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        layer = layer.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=1.0)
        rotated.append(np.asarray(layer, dtype=np.float32))
    mask = Image.new("L", size, 255)
    mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=0)
    # A soft edge: a hard rectangle edge would be a cue that a benign crop has too, but
    # it is not what the model should look at.
    radius = max(1.0, length / 40)
    mask = mask.filter(ImageFilter.MinFilter(3)).filter(ImageFilter.GaussianBlur(radius))
    stacked = np.stack(rotated, axis=2)
    return np.clip(stacked, 0.0, 1.0), np.asarray(mask, dtype=np.float32) / 255.0


def _position(bag: np.ndarray, *, width: int, height: int, rng: np.random.Generator) -> tuple[int, int]:
    """Where the object's top-left corner goes: a random place whose centre lies on the
    bag's contents (not on the empty belt around it), when such a place is found."""
    bag_height, bag_width = bag.shape[:2]
    max_x, max_y = max(0, bag_width - width), max(0, bag_height - height)
    grey = bag.mean(axis=2) if bag.ndim == 3 else bag
    for _ in range(20):
        x, y = int(rng.integers(0, max_x + 1)), int(rng.integers(0, max_y + 1))
        cy, cx = min(bag_height - 1, y + height // 2), min(bag_width - 1, x + width // 2)
        if grey[cy, cx] < 0.9:
            return x, y
    return int(rng.integers(0, max_x + 1)), int(rng.integers(0, max_y + 1))


def tip_project(
    *,
    bag: np.ndarray,
    obj: np.ndarray,
    rng: np.random.Generator,
    scale_range: tuple[float, float] = SCALE_RANGE,
) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """`bag` (HxWx3 transmission) with `obj` (hxw or hxwx3 transmission) projected into it
    multiplicatively, at a random position, scale and rotation; the same size as `bag`.
    Returns the image and the object's box (x0, y0, x1, y1) in it."""
    bag_height, bag_width = bag.shape[:2]
    length = max(4, int(min(bag_height, bag_width) * rng.uniform(*scale_range)))
    layers, mask = _object_layers(obj, length=length, angle=float(rng.uniform(0, 360)), flip=bool(rng.integers(0, 2)))
    height, width = mask.shape
    if height > bag_height or width > bag_width:
        # A long object rotated can be larger than a small bag: it is cut at the bag's edge.
        layers, mask = layers[:bag_height, :bag_width], mask[:bag_height, :bag_width]
        height, width = mask.shape
    x, y = _position(bag, width=width, height=height, rng=rng)
    out = np.array(bag, dtype=np.float32, copy=True)
    region = out[y : y + height, x : x + width]
    factor = 1.0 - mask[..., None] * (1.0 - layers)
    region *= factor
    return out, (x, y, x + width, y + height)


def tip_image_for_officer(*, base: Image.Image, kind: str, seed: int) -> Image.Image:
    """`base` (a parcel's X-ray image) with a synthetic threat of `kind` ("gun", "blade"
    or "shuriken") projected into it at a random place, scale and rotation (from `seed`),
    multiplicatively as X-rays add up; same size and mode RGB."""
    if kind not in TIP_KINDS:
        raise ValueError(f"Unknown TIP threat kind {kind!r}; expected one of {', '.join(TIP_KINDS)}.")
    rng = np.random.default_rng(seed)
    from xray.screening.ml import image_to_rgb

    bag = transmission_of(image_to_rgb(base))
    size = max(32, int(min(bag.shape[:2]) * 0.5))
    obj = synthetic_object(kind=kind, rng=rng, size=size)
    projected, _box = tip_project(bag=bag, obj=obj, rng=rng)
    return transmission_to_image(projected)
