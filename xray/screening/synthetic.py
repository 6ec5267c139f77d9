"""Synthetic parcel X-rays and synthetic objects, for the demo and for tests.

Images are made the way a dual-energy scanner shows them: every material multiplies the
light that reaches the detector (transmission in [0, 1], 1 = nothing in the way), and the
pseudo-colour tells materials apart: organic matter orange, inorganic green, metal blue.
Everything is drawn from a seeded `numpy` generator, so one seed gives one image.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

# Transmission per channel (R, G, B) of one unit of each material; a thicker object is
# this to the power of its density, which is how absorption adds up.
MATERIAL_COLOURS = {
    "organic": np.array([0.97, 0.72, 0.38], dtype=np.float32),
    "inorganic": np.array([0.62, 0.88, 0.52], dtype=np.float32),
    "metal": np.array([0.30, 0.42, 0.85], dtype=np.float32),
}
OBJECT_KINDS = ("gun", "blade", "shuriken", "other")


def _density_layer(size: tuple[int, int], draw_shapes) -> np.ndarray:
    layer = Image.new("L", size, 0)
    draw_shapes(ImageDraw.Draw(layer))
    return np.asarray(layer, dtype=np.float32) / 255.0


def _apply(transmission: np.ndarray, density: np.ndarray, material: str, strength: float) -> None:
    colour = MATERIAL_COLOURS[material]
    transmission *= colour[None, None, :] ** (density[..., None] * strength)


def synthetic_bag(*, rng: np.random.Generator, width: int = 320, height: int = 256) -> np.ndarray:
    """A benign bag: a case outline and clutter of organic, inorganic and metal items, as
    an HxWx3 float32 transmission image."""
    transmission = np.ones((height, width, 3), dtype=np.float32)
    margin_x, margin_y = int(width * rng.uniform(0.03, 0.12)), int(height * rng.uniform(0.03, 0.12))
    box = (margin_x, margin_y, width - margin_x, height - margin_y)

    def case(draw: ImageDraw.ImageDraw) -> None:
        draw.rounded_rectangle(box, radius=int(min(width, height) * 0.06), fill=90)
        draw.rounded_rectangle(box, radius=int(min(width, height) * 0.06), outline=255, width=4)

    _apply(transmission, _density_layer((width, height), case), "organic", rng.uniform(0.8, 1.6))
    for _ in range(int(rng.integers(8, 20))):
        material = str(rng.choice(["organic", "organic", "inorganic", "metal"]))
        x0, y0 = rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3])
        w, h = rng.uniform(0.05, 0.35) * width, rng.uniform(0.05, 0.35) * height
        shape = int(rng.integers(0, 3))
        level = int(rng.integers(60, 256))

        def item(draw: ImageDraw.ImageDraw, x0=x0, y0=y0, w=w, h=h, shape=shape, level=level) -> None:
            if shape == 0:
                draw.ellipse((x0, y0, x0 + w, y0 + h), fill=level)
            elif shape == 1:
                draw.rectangle((x0, y0, x0 + w, y0 + h), fill=level)
            else:
                draw.line((x0, y0, x0 + w, y0 + h), fill=level, width=max(2, int(min(w, h) * 0.08)))

        strength = rng.uniform(0.3, 1.0) if material == "metal" else rng.uniform(0.5, 2.0)
        _apply(transmission, _density_layer((width, height), item), material, strength)
    noise = rng.normal(0.0, 0.01, transmission.shape).astype(np.float32)
    return np.clip(transmission + noise, 0.0, 1.0)


def _polygon(points: list[tuple[float, float]], angle: float, centre: tuple[float, float]) -> list[tuple[float, float]]:
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = centre
    return [(cx + (x - cx) * cos - (y - cy) * sin, cy + (x - cx) * sin + (y - cy) * cos) for x, y in points]


def _draw_object(draw: ImageDraw.ImageDraw, kind: str, size: int, rng: np.random.Generator) -> None:
    s = size
    if kind == "gun":
        barrel = rng.uniform(0.45, 0.6) * s
        draw.rectangle((0.15 * s, 0.3 * s, 0.15 * s + barrel, 0.42 * s), fill=255)
        grip = [(0.15 * s, 0.3 * s), (0.32 * s, 0.3 * s), (0.36 * s, 0.85 * s), (0.2 * s, 0.88 * s)]
        draw.polygon(grip, fill=255)
        draw.ellipse((0.3 * s, 0.4 * s, 0.45 * s, 0.58 * s), outline=255, width=max(2, s // 25))
    elif kind == "blade":
        draw.rounded_rectangle((0.1 * s, 0.35 * s, 0.9 * s, 0.65 * s), radius=s // 20, fill=150)
        draw.rectangle((0.3 * s, 0.47 * s, 0.7 * s, 0.53 * s), fill=0)
        for x in (0.3, 0.5, 0.7):
            draw.ellipse(((x - 0.04) * s, 0.44 * s, (x + 0.04) * s, 0.56 * s), fill=0)
    elif kind == "shuriken":
        points = int(rng.integers(4, 9))
        outer, inner = 0.48 * s, rng.uniform(0.12, 0.22) * s
        star = []
        for i in range(points * 2):
            radius = outer if i % 2 == 0 else inner
            angle = math.pi * i / points
            star.append((s / 2 + radius * math.cos(angle), s / 2 + radius * math.sin(angle)))
        draw.polygon(star, fill=255)
        draw.ellipse((0.44 * s, 0.44 * s, 0.56 * s, 0.56 * s), fill=0)
    else:
        choice = int(rng.integers(0, 4))
        if choice == 0:  # A coin or a battery.
            draw.ellipse((0.3 * s, 0.3 * s, 0.7 * s, 0.7 * s), fill=200)
        elif choice == 1:  # A phone.
            draw.rounded_rectangle((0.3 * s, 0.15 * s, 0.7 * s, 0.85 * s), radius=s // 15, fill=170)
            draw.rectangle((0.35 * s, 0.5 * s, 0.65 * s, 0.75 * s), fill=255)
        elif choice == 2:  # A cable.
            xs = np.linspace(0.1, 0.9, 8) * s
            ys = (0.5 + 0.3 * np.sin(np.linspace(0, rng.uniform(2, 8), 8))) * s
            draw.line(list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=220, width=max(2, s // 30))
        else:  # Keys.
            draw.ellipse((0.2 * s, 0.2 * s, 0.45 * s, 0.45 * s), outline=230, width=max(2, s // 20))
            draw.rectangle((0.4 * s, 0.3 * s, 0.85 * s, 0.37 * s), fill=230)


def synthetic_object(*, kind: str, rng: np.random.Generator, size: int = 96) -> np.ndarray:
    """One object of `kind` ("gun", "blade", "shuriken" or "other", a benign item) drawn
    on a square of `size` px, as an HxWx3 float32 transmission image (metal is blue)."""
    if kind not in OBJECT_KINDS:
        raise ValueError(f"Unknown object kind {kind!r}.")
    layer = Image.new("L", (size, size), 0)
    _draw_object(ImageDraw.Draw(layer), kind, size, rng)
    layer = layer.rotate(float(rng.uniform(0, 360)), resample=Image.Resampling.BILINEAR)
    density = np.asarray(layer.filter(ImageFilter.GaussianBlur(0.6)), dtype=np.float32) / 255.0
    transmission = np.ones((size, size, 3), dtype=np.float32)
    material = "metal" if kind != "other" or rng.random() < 0.5 else str(rng.choice(["organic", "inorganic"]))
    _apply(transmission, density, material, rng.uniform(2.0, 3.5))
    return transmission


def transmission_to_image(transmission: np.ndarray) -> Image.Image:
    """A transmission array (HxW or HxWx3 in [0, 1]) as an 8-bit RGB image."""
    array = np.clip(np.asarray(transmission, dtype=np.float32) * 255.0 + 0.5, 0, 255).astype(np.uint8)
    if array.ndim == 2:
        array = np.repeat(array[..., None], 3, axis=2)
    return Image.fromarray(array, "RGB")


def synthetic_parcel_image(*, seed: int, width: int = 480, height: int = 360, threat: str | None = None) -> Image.Image:
    """A synthetic parcel X-ray (RGB), with a threat of kind `threat` projected into it
    when one is given: the demo's and the tests' parcels."""
    rng = np.random.default_rng(seed)
    bag = synthetic_bag(rng=rng, width=width, height=height)
    if threat is not None:
        from xray.screening.tip import tip_project

        obj = synthetic_object(kind=threat, rng=rng, size=int(min(width, height) * 0.4))
        bag, _box = tip_project(bag=bag, obj=obj, rng=rng)
    return transmission_to_image(bag)
