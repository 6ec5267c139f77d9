"""Fixtures of the X-ray model's tests: a tiny real model trained on synthetic parcels
once per test module, and an artefact root of each test's own."""

from __future__ import annotations

import pytest
import torch

from customs_portal import ml_registry
from xray.screening import training


@pytest.fixture(autouse=True, scope="session")
def one_torch_thread():
    """Parallel test runs share two cores: each trains its tiny models on one thread."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def xray_artefact_root(settings, tmp_path):
    settings.ML_ARTEFACT_ROOT = str(tmp_path / "ml")
    ml_registry.artefact_cache_clear()
    yield tmp_path / "ml"
    ml_registry.artefact_cache_clear()


TINY_TEST_CONFIG = training.tiny_config(epochs=3, steps_per_epoch=8)


@pytest.fixture(scope="module")
def synthetic_data():
    return training.training_data_synthetic(config=TINY_TEST_CONFIG)


@pytest.fixture(scope="module")
def trained(synthetic_data):
    """(outcome, validation images, validation labels) of a tiny model on synthetic data."""
    torch.set_num_threads(1)
    return training.train_and_evaluate(data=synthetic_data, config=TINY_TEST_CONFIG)
