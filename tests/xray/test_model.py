"""The X-ray model's preprocessing, prediction, heat maps and artefacts."""

# The fixtures imported from fixtures_ml are pytest arguments, not redefinitions.
# ruff: noqa: F811
from __future__ import annotations

import io
from functools import partial

import numpy as np
import pytest
import torch
from PIL import Image

from customs_portal import ml_registry
from tests.xray.fixtures_ml import one_torch_thread, synthetic_data, trained, xray_artefact_root  # noqa: F401
from xray.screening import ml, training
from xray.screening.synthetic import synthetic_parcel_image


def parcel(seed: int = 1, **kwargs) -> Image.Image:
    return synthetic_parcel_image(seed=seed, **kwargs)


def test_preprocessing_gives_one_fixed_size_whatever_the_image_size():
    small, large = parcel(width=200, height=120), parcel(width=900, height=1400)

    assert ml.preprocess(small, size=64).shape == (3, 64, 64)
    assert ml.preprocess(large, size=64).shape == (3, 64, 64)


def test_preprocessing_is_blind_to_resolution_and_pure():
    image = parcel(width=240, height=180)
    before = np.asarray(image).copy()
    twice = image.resize((480, 360), Image.Resampling.BILINEAR)

    first, again = ml.preprocess(image, size=64), ml.preprocess(image, size=64)

    assert np.array_equal(first, again)
    assert np.array_equal(np.asarray(image), before)
    assert np.abs(first - ml.preprocess(twice, size=64)).mean() < 0.02


def test_preprocessing_letterboxes_on_white_so_the_aspect_is_kept():
    tall = Image.new("RGB", (50, 100), (0, 0, 0))

    array = ml.preprocess(tall, size=32)

    assert np.allclose(array[:, :, :4], 1.0)  # white margins left and right
    assert np.allclose(array[:, :, 12:20], -1.0)


@pytest.mark.parametrize(
    "image",
    [
        Image.fromarray(np.arange(64 * 48, dtype=np.uint16).reshape(48, 64) * 20),
        Image.new("L", (64, 48), 128),
        Image.new("RGBA", (64, 48), (0, 0, 0, 0)),
        Image.new("P", (64, 48), 3),
        Image.new("LA", (64, 48), (20, 255)),
        Image.new("1", (64, 48), 1),
        Image.new("CMYK", (64, 48), (0, 0, 0, 0)),
    ],
    ids=["16-bit", "L", "RGBA", "palette", "LA", "1-bit", "CMYK"],
)
def test_preprocessing_reads_every_image_mode(image):
    array = ml.preprocess(image, size=32)

    assert array.shape == (3, 32, 32) and array.dtype == np.float32
    assert np.isfinite(array).all() and array.min() >= -1 and array.max() <= 1


def test_16_bit_scans_are_stretched_so_that_air_is_white():
    raw = np.full((40, 40), 4000, dtype=np.uint16)
    raw[10:20, 10:20] = 1000

    rgb = np.asarray(ml.image_to_rgb(Image.fromarray(raw)))

    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert 55 <= rgb[15, 15, 0] <= 70


def test_transparent_pixels_read_as_an_empty_belt():
    assert np.asarray(ml.image_to_rgb(Image.new("RGBA", (4, 4), (0, 0, 0, 0))))[0, 0].tolist() == [255, 255, 255]


def test_a_prediction_has_probabilities_summing_to_one_and_a_heat_map_of_the_image_shape(trained):
    outcome, _images, _labels = trained
    predictor = outcome.predictor
    images = [parcel(2, width=320, height=160), parcel(3, threat="gun"), Image.new("L", (100, 100), 200)]

    predictions = predictor.predict(images)

    assert len(predictions) == 3
    for image, prediction in zip(images, predictions, strict=True):
        assert set(prediction.probabilities) == set(ml.CLASSES)
        assert sum(prediction.probabilities.values()) == pytest.approx(1.0)
        assert prediction.threat_score == pytest.approx(1 - prediction.probabilities["other"])
        assert prediction.top_class == max(prediction.probabilities, key=prediction.probabilities.get)
        heatmap = prediction.heatmap
        assert heatmap.ndim == 2 and heatmap.dtype == np.float32
        assert 0 <= heatmap.min() and heatmap.max() <= 1
        assert heatmap.shape[1] / heatmap.shape[0] == pytest.approx(image.width / image.height, rel=0.1)


def test_predictions_do_not_depend_on_the_batch(trained):
    predictor = trained[0].predictor
    images = [parcel(i) for i in range(4)]

    together = [p.threat_score for p in predictor.predict(images, heatmaps=False)]
    alone = [predictor.predict([image], heatmaps=False)[0].threat_score for image in images]

    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_the_heat_map_png_is_a_transparent_overlay_of_the_image_size():
    heatmap = np.zeros((10, 20), np.float32)
    heatmap[5, 15] = 1.0

    png = ml.heatmap_png(heatmap=heatmap, width=300, height=150)

    overlay = Image.open(io.BytesIO(png))
    assert overlay.format == "PNG" and overlay.size == (300, 150)
    alpha = np.asarray(overlay.convert("RGBA"))[..., 3]
    assert alpha[0, 0] == 0
    assert np.unravel_index(alpha.argmax(), alpha.shape)[1] > 150


def register(outcome) -> object:
    return ml_registry.model_version_register(
        name=ml.MODEL_NAME,
        write=partial(ml.predictor_write, net=outcome.predictor.net, config=outcome.config),
        manifest={"labels": list(ml.CLASSES)},
        system="test",
    )


@pytest.mark.django_db
def test_a_registered_version_loads_back_with_the_same_predictions(trained):
    outcome = trained[0]
    version = register(outcome)
    images = [parcel(7), parcel(8, threat="blade")]

    loaded = ml_registry.artefact_load(model_version=version, load=ml.predictor_load)

    assert loaded.version == version.version
    assert loaded.threshold == pytest.approx(outcome.predictor.threshold)
    assert loaded.input_size == outcome.predictor.input_size
    expected = [p.threat_score for p in outcome.predictor.predict(images, heatmaps=False)]
    np.testing.assert_allclose([p.threat_score for p in loaded.predict(images, heatmaps=False)], expected, atol=1e-6)
    assert ml_registry.artefact_load(model_version=version, load=ml.predictor_load) is loaded


@pytest.mark.django_db
def test_a_tampered_weights_file_is_refused(trained):
    version = register(trained[0])
    weights = ml_registry.artefact_directory(name=ml.MODEL_NAME, version=version.version) / ml.WEIGHTS_FILE
    state = torch.load(weights, weights_only=True)
    state["head.bias"] = state["head.bias"] + 1.0
    torch.save(state, weights)

    with pytest.raises(ml_registry.ArtefactError):
        ml_registry.artefact_load(model_version=version, load=ml.predictor_load)


def test_the_weights_file_is_a_plain_state_dict_that_loads_without_pickle(trained, tmp_path):
    outcome = trained[0]
    ml.predictor_write(tmp_path, net=outcome.predictor.net, config=outcome.config)

    state = torch.load(tmp_path / ml.WEIGHTS_FILE, weights_only=True)

    assert all(isinstance(value, torch.Tensor) for value in state.values())
    assert "head.weight" in state and any(key.startswith("blocks.") for key in state)


def test_the_threat_score_rises_when_a_threat_is_projected_into_a_bag(trained):
    predictor = trained[0].predictor
    scores = [
        predictor.predict([parcel(seed, threat=kind), parcel(seed)], heatmaps=False)
        for seed, kind in zip(range(40, 52), ["gun", "shuriken", "blade"] * 4, strict=True)
    ]

    rises = [threat.threat_score > plain.threat_score for threat, plain in scores]

    assert np.mean(rises) >= 0.6


def test_training_is_reported_against_the_right_config(trained):
    outcome = trained[0]
    assert outcome.config["input_size"] == training.TINY.input_size
    assert outcome.config["classes"] == list(ml.CLASSES)


def test_the_served_trace_gives_the_networks_own_outputs(trained):
    predictor = trained[0].predictor
    images = [parcel(20), parcel(21, threat="gun"), parcel(22, width=200, height=400)]
    inputs = ml.preprocess_batch(images, size=predictor.input_size)

    probabilities, maps = predictor.scores(inputs)
    with torch.inference_mode():
        logits, places = predictor.net(inputs)

    np.testing.assert_allclose(probabilities, torch.softmax(logits, dim=1).numpy(), atol=1e-5)
    np.testing.assert_allclose(maps, ml.threat_map(places).numpy(), atol=1e-5)
