"""Demo data of the inspection app: synthetic history, and a first model if none exists."""

from __future__ import annotations

from customs_portal import ml_registry
from inspection import services, synthetic
from inspection.models import HistoricalDeclaration


def seed(*, rows: int = 20_000, seed: int = 7, stdout=None) -> None:
    """Idempotent: the same synthetic rows (same sgd_id) are only added once, and a model
    is trained only when none exists. Takes about 10-20 s."""
    if not HistoricalDeclaration.objects.filter(source=HistoricalDeclaration.Source.SYNTHETIC).exists():
        frame = synthetic.generate_history(rows=rows, seed=seed)
        added, _existing = services.history_import(frame=frame, source=HistoricalDeclaration.Source.SYNTHETIC)
        if stdout:
            stdout.write(f"inspection: {added} synthetic historical declarations")
    if not ml_registry.model_version_list(name=services.MODEL_NAME).exists():
        version = services.risk_model_train(system="seed_demo", if_absent=True)
        if stdout and version:
            stdout.write(f"inspection: trained {version.label} ({version.get_status_display()})")
