"""Fixtures of the intake's tests: a served X-ray model version whose predictor is a
fake (service tests only; the end-to-end test trains a tiny real model)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from customs_portal.ml_registry import artefact_cache_clear, model_version_promote, model_version_register
from customs_portal.models import ModelVersion
from xray.screening import ml

CLEAR = {"gun": 0.01, "blade": 0.02, "shuriken": 0.01, "other": 0.96}
BLADE = {"gun": 0.02, "blade": 0.91, "shuriken": 0.01, "other": 0.06}


def model_version_serve(*, name: str = ml.MODEL_NAME) -> ModelVersion:
    """Registers and promotes a version of the model with one placeholder file."""
    version = model_version_register(
        name=name, write=lambda directory: (directory / "weights.bin").write_bytes(b"fake"), system="test"
    )
    return model_version_promote(model_version=version, system="test")


@dataclass
class FakePredictor:
    """Answers `read(image)` for each image; records the batches it was given."""

    read: Callable[[Image.Image], dict[str, float]] = lambda image: CLEAR
    threshold: float = 0.5
    version: int = 1
    name: str = ml.MODEL_NAME
    input_size: int = 32
    batches: list[int] = field(default_factory=list)

    def predict(self, images: Sequence[Image.Image], *, heatmaps: bool = True) -> list[ml.XrayPrediction]:
        self.batches.append(len(images))
        predictions = []
        for image in images:
            probabilities = self.read(image)
            predictions.append(
                ml.XrayPrediction(
                    probabilities=probabilities,
                    threat_score=1 - probabilities["other"],
                    top_class=max(probabilities, key=probabilities.get),
                    heatmap=np.zeros((4, 4), dtype=np.float32),
                )
            )
        return predictions


def _heatmap_png(*, heatmap: np.ndarray, width: int, height: int) -> bytes:
    import io

    buffer = io.BytesIO()
    Image.new("RGBA", (width, height)).save(buffer, format="PNG")
    return buffer.getvalue()


def fake_predictor_serve(monkeypatch) -> Iterator[FakePredictor]:
    """A served version of the X-ray model whose predictor is a FakePredictor; a test
    module makes it a fixture: `yield from fake_predictor_serve(monkeypatch)`."""
    predictor = FakePredictor()
    artefact_cache_clear()
    monkeypatch.setattr(ml, "predictor_load", lambda directory: predictor)
    monkeypatch.setattr(ml, "heatmap_png", _heatmap_png)
    predictor.model_version = model_version_serve()
    yield predictor
    artefact_cache_clear()
