"""The X-ray model: preprocessing, the network, batched prediction with heat maps.

INTERFACE CONTRACT (being implemented on the xray-ml branch; the lead replaces this file
at merge). Other parts of the app use exactly these names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

MODEL_NAME = "xray"
# The model's classes, in output order; the first three are threats.
CLASSES = ("gun", "blade", "shuriken", "other")
THREAT_CLASSES = ("gun", "blade", "shuriken")


@dataclass(frozen=True)
class XrayPrediction:
    probabilities: dict[str, float]  # one per CLASSES entry, summing to 1
    threat_score: float  # P(any threat) = 1 - P(other), in [0, 1]
    top_class: str
    heatmap: np.ndarray  # float32, HxW in [0, 1], where the model looked (Grad-CAM)


class XrayPredictor:
    """A loaded model version: `threshold` is its operating point (threat_score >=
    threshold means "inspect"); `predict` reads a batch of decoded images (any mode,
    any size: preprocessing happens inside)."""

    name: str = MODEL_NAME
    version: int
    threshold: float
    input_size: int

    def predict(self, images: Sequence[Image.Image], *, heatmaps: bool = True) -> list[XrayPrediction]:
        raise NotImplementedError


def predictor_load(directory: Path) -> XrayPredictor:
    """Reads a version's files (checked by the registry first); pass it to
    `customs_portal.ml_registry.artefact_load(model_version=..., load=predictor_load)`."""
    raise NotImplementedError


def heatmap_png(*, heatmap: np.ndarray, width: int, height: int) -> bytes:
    """The heat map as a transparent colour overlay PNG of the image's own size."""
    raise NotImplementedError
