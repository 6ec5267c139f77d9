from __future__ import annotations

import pytest
from django.utils import translation
from threadpoolctl import threadpool_limits

from customs_portal import ml_registry
from inspection import synthetic


@pytest.fixture(autouse=True, scope="session")
def one_thread_per_model():
    """Parallel test runs share two cores: OpenMP threads fighting over them slow a tiny
    model's training tenfold, so each test process trains on one thread."""
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def artefact_root(settings, tmp_path):
    settings.ML_ARTEFACT_ROOT = str(tmp_path / "ml")
    settings.RISK_MIN_TRAINING_ROWS = 500
    settings.RISK_MIN_ILLICIT_LABELS = 30
    ml_registry.artefact_cache_clear()
    return tmp_path / "ml"


@pytest.fixture(scope="session")
def history_frame():
    """A year of synthetic history: a few thousand rows, enough for a real small model."""
    return synthetic.generate_history(rows=6000, seed=1, days=365)


@pytest.fixture
def history_in_db(db, history_frame):
    from inspection import services
    from inspection.models import HistoricalDeclaration

    services.history_import(frame=history_frame, source=HistoricalDeclaration.Source.SYNTHETIC)
    return history_frame


@pytest.fixture
def trained_model(history_in_db):
    from inspection import services

    return services.risk_model_train(system="test")
