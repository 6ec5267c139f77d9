"""The registry of ML model versions, shared by every app that serves a model.

A model is known by its name ("risk", "xray"). Each trained version keeps its files in
ML_ARTEFACT_ROOT/<name>/<version>/ next to a manifest.json that lists their sha256, and
one `ModelVersion` row that records the same checksums. At most one version of each
model is active; promotion and rollback are per model, explicit and audited.

The registry knows files, never what is in them: the app passes a `write(directory)`
that puts its files there when registering, and a `load(directory)` that reads them back
when loading, which the registry calls only after every file matches its checksum.

Apps react to a promotion through two signals (kwargs: model_version, previous); the
registry never imports them. `model_version_promoting` is sent inside the promotion's
transaction, for work that must commit or roll back with it (an outbox task);
`model_version_promoted` is sent once the promotion commits.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, QuerySet
from django.dispatch import Signal
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from customs_portal.audit import audit_record
from customs_portal.errors import ApplicationError
from customs_portal.models import OFFICER_ROLES, ModelVersion, Role, User

MANIFEST_FILE = "manifest.json"

model_version_promoting = Signal()  # kwargs: model_version, previous (None for a first version)
model_version_promoted = Signal()  # the same kwargs, once the promotion has committed

T = TypeVar("T")


class ArtefactError(Exception):
    """An artefact file is missing or does not match the checksum in the registry."""


# Artefacts.


def artefact_root() -> Path:
    return Path(settings.ML_ARTEFACT_ROOT)


def artefact_directory(*, name: str, version: int) -> Path:
    return artefact_root() / name / str(version)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def artefact_save(*, directory: Path, write: Callable[[Path], None], manifest: dict[str, Any]) -> dict[str, str]:
    """Lets `write` put the model's files into `directory`, then writes manifest.json with
    `manifest` and the sha256 of every file. Returns {file name: sha256}."""
    # A directory already there was left by a registration that rolled back (its version
    # number is not in the registry): its files must not be counted as this version's.
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    write(directory)
    checksums = {
        path.relative_to(directory).as_posix(): sha256_of(path)
        for path in sorted(directory.rglob("*"))
        if path.is_file() and path.name != MANIFEST_FILE
    }
    if not checksums:
        raise ArtefactError(f"Nothing was written to {directory}: an artefact needs at least one file.")
    (directory / MANIFEST_FILE).write_text(json.dumps({**manifest, "files": checksums}, indent=2, default=str))
    return checksums


def artefact_verify(*, directory: Path, checksums: dict[str, str]) -> None:
    """Raises ArtefactError unless every recorded file is there with its recorded sha256."""
    if not checksums:
        raise ArtefactError(f"The registry records no files for {directory}; refusing to load it.")
    root = directory.resolve()
    for name, expected in checksums.items():
        path = (directory / name).resolve()
        if not path.is_relative_to(root):
            raise ArtefactError(f"Model file {name} lies outside {directory}; refusing to load it.")
        if not path.is_file():
            raise ArtefactError(f"Model file {path} is missing.")
        actual = sha256_of(path)
        if actual != expected:
            raise ArtefactError(
                f"Model file {path} has checksum {actual[:12]}…, the registry expects {expected[:12]}…; "
                "refusing to load it."
            )


_cache: dict[tuple, Any] = {}
_cache_lock = threading.Lock()


def artefact_load(*, model_version: ModelVersion, load: Callable[[Path], T]) -> T:
    """The loaded model of `model_version`: read once per process by `load(directory)`,
    after every file has been checked against the registry's checksums."""
    key = (model_version.artefact_path, tuple(sorted(model_version.checksums.items())), load)
    with _cache_lock:
        if key in _cache:
            return _cache[key]
        directory = Path(model_version.artefact_path)
        artefact_verify(directory=directory, checksums=model_version.checksums)
        loaded = load(directory)
        _cache[key] = loaded
        return loaded


def artefact_cache_clear() -> None:
    """Forgets every loaded model (tests, and a file replaced on disk)."""
    with _cache_lock:
        _cache.clear()


# What a user may do.

PROMOTE = "promote"
ROLLBACK = "rollback"


def _may_change_serving(user: User | None) -> bool:
    # Which version serves decides every lane: only supervisors change it.
    return bool(user is not None and user.is_authenticated and user.is_active and user.role == Role.SUPERVISOR)


def _allowed_actions(*, version: ModelVersion, user: User | None, rollback_target: ModelVersion | None) -> list[str]:
    if not _may_change_serving(user):
        return []
    actions = []
    if version.status != ModelVersion.Status.ACTIVE:
        actions.append(PROMOTE)
    if rollback_target is not None and rollback_target.pk == version.pk:
        actions.append(ROLLBACK)
    return actions


def model_version_allowed_actions(*, version: ModelVersion, user: User | None) -> list[str]:
    """What `user` may do to `version` now: "promote" (serve a version not served) and
    "rollback" (serve again the version served before the current one, which is this one).
    Only supervisors may do either; the services below refuse what this does not allow."""
    return _allowed_actions(
        version=version, user=user, rollback_target=model_version_rollback_target(name=version.name)
    )


def model_versions_with_actions(*, versions: list[ModelVersion], user: User | None) -> list[tuple]:
    """Each of `versions` (all of one model) with `model_version_allowed_actions`, the
    rollback target read once for the list."""
    if not versions:
        return []
    target = model_version_rollback_target(name=versions[0].name)
    return [(version, _allowed_actions(version=version, user=user, rollback_target=target)) for version in versions]


def _refuse_unless_supervisor(actor: User | None) -> None:
    if not _may_change_serving(actor):
        raise ApplicationError(_("Only a supervisor may change which model version is served."), code="not_allowed")


# Writes.


@transaction.atomic
def model_version_register(
    *,
    name: str,
    write: Callable[[Path], None],
    manifest: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    training_summary: dict[str, Any] | None = None,
    audit_after: dict[str, Any] | None = None,
    actor: User | None = None,
    system: str = "",
) -> ModelVersion:
    """Records the next version of model `name`, trained but not served: `write` puts its
    files in the version's directory, the manifest lists them with their checksums.
    Audited as "<name>_model.trained" with `audit_after` (by default, the metrics)."""
    metrics = metrics or {}
    training_summary = training_summary or {}
    version = (ModelVersion.objects.filter(name=name).aggregate(v=Max("version"))["v"] or 0) + 1
    directory = artefact_directory(name=name, version=version)
    checksums = artefact_save(
        directory=directory,
        write=write,
        manifest={"name": name, "version": version, **(manifest or {})},
    )
    model_version = ModelVersion.objects.create(
        name=name,
        version=version,
        artefact_path=str(directory),
        checksums=checksums,
        metrics=metrics,
        training_summary=training_summary,
    )
    audit_record(
        action=f"{name}_model.trained",
        actor=actor,
        system=system if actor is None else "",
        obj=model_version,
        after=audit_after if audit_after is not None else {"metrics": metrics},
    )
    return model_version


@transaction.atomic
def model_version_promote(
    *, model_version: ModelVersion, actor: User | None = None, system: str = "", request: HttpRequest | None = None
) -> ModelVersion:
    """Serves this version of its model from now on; the version served until now retires.
    Other models are not touched. `model_version_promoted` is sent once this commits.
    A person who promotes must be a supervisor; a system component (training) may too."""
    if actor is not None or not system:
        _refuse_unless_supervisor(actor)
    # All versions of the model are locked, in one order, so that two promotions of the
    # same model run one after the other and the second sees the first one's result.
    versions = {
        version.pk: version
        for version in ModelVersion.objects.select_for_update().filter(name=model_version.name).order_by("pk")
    }
    if model_version.pk not in versions:
        raise ModelVersion.DoesNotExist(f"Model version {model_version.pk} does not exist.")
    model_version = versions[model_version.pk]
    if model_version.status == ModelVersion.Status.ACTIVE:
        raise ApplicationError(_("This version is already active."), code="already_active")
    previous = next((v for v in versions.values() if v.status == ModelVersion.Status.ACTIVE), None)
    if previous is not None:
        previous.status = ModelVersion.Status.RETIRED
        previous.save(update_fields=["status"])
    model_version.status = ModelVersion.Status.ACTIVE
    model_version.promoted_at = timezone.now()
    model_version.save(update_fields=["status", "promoted_at"])
    audit_record(
        action=f"{model_version.name}_model.promoted",
        actor=actor,
        system=system if actor is None else "",
        obj=model_version,
        before={"active": previous.label if previous else None},
        after={"active": model_version.label},
        request=request,
    )
    model_version_promoting.send(sender=ModelVersion, model_version=model_version, previous=previous)
    transaction.on_commit(
        lambda: model_version_promoted.send(sender=ModelVersion, model_version=model_version, previous=previous),
        robust=True,
    )
    return model_version


def model_version_rollback(*, name: str, actor: User, request: HttpRequest | None = None) -> ModelVersion:
    """Serves again the version of model `name` that was served before the current one;
    only a supervisor may."""
    _refuse_unless_supervisor(actor)
    previous = model_version_rollback_target(name=name)
    if previous is None:
        raise ApplicationError(_("There is no earlier served version to roll back to."), code="nothing_to_roll_back")
    return model_version_promote(model_version=previous, actor=actor, request=request)


# Reads.


def model_version_active(*, name: str) -> ModelVersion | None:
    """The served version of model `name`, if any."""
    return ModelVersion.objects.filter(name=name, status=ModelVersion.Status.ACTIVE).first()


def model_version_rollback_target(*, name: str) -> ModelVersion | None:
    """The version a rollback of model `name` would serve: the one served before the
    current one; None when nothing is served or nothing was served before."""
    if model_version_active(name=name) is None:
        return None
    return (
        ModelVersion.objects.filter(name=name, status=ModelVersion.Status.RETIRED, promoted_at__isnull=False)
        .order_by("-promoted_at")
        .first()
    )


def model_version_list(*, name: str | None = None) -> QuerySet[ModelVersion]:
    versions = ModelVersion.objects.all()
    if name is not None:
        versions = versions.filter(name=name)
    return versions.order_by("name", "-version")


# Metrics that are shares (of the declarations, the findings, the revenue) and read as
# percentages; any other number (an AUC) reads as a number.
_SHARE_METRICS = {"precision", "recall", "revenue"}


def _metric_label(name: str, top: str) -> str:
    labels = {
        "precision": _("Precision (top %(top)s %%)"),
        "recall": _("Recall (top %(top)s %%)"),
        "revenue": _("Revenue caught (top %(top)s %%)"),
        "auc": _("AUC"),
    }
    label = labels.get(name, name)
    return label % {"top": top} if top else label


def _metric_value(name: str, value: float) -> str:
    if name in _SHARE_METRICS:
        return _("%(value)s %%") % {"value": number_format(round(value * 100, 1), decimal_pos=1)}
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    return number_format(round(value, 3), decimal_pos=3)


def _metric_rank(key: str, order: list[str]) -> tuple[int, str]:
    name = key.partition("@")[0]
    return (order.index(name) if name in order else len(order), key)


def model_version_metrics(*, version: ModelVersion, top: int = 5) -> list[tuple[str, str]]:
    """The version's hold-out metrics as (label, value) in the reader's language: the
    metrics of inspecting the top `top` % ("precision@5%" as "Precision (top 5 %)": "41.2 %")
    and every metric not tied to a share inspected ("auc" as "AUC": "0.928")."""
    metrics = version.metrics.get("holdout", version.metrics) if isinstance(version.metrics, dict) else {}
    shown = []
    # JSON columns keep no key order: the shares come first, in one order, then the rest.
    order = ["precision", "recall", "revenue"]
    for key, value in sorted(metrics.items(), key=lambda item: _metric_rank(item[0], order)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            continue
        name, _at, share = key.partition("@")
        if share and share != f"{top}%":
            continue
        shown.append((_metric_label(name, str(top) if share else ""), _metric_value(name, value)))
    return shown


def _check_officer(user: User) -> None:
    # Model versions, their metrics and training data summaries are for customs only.
    if not (user.is_authenticated and user.is_active and user.role in OFFICER_ROLES):
        raise PermissionDenied


def model_version_list_for_user(*, user: User, name: str | None = None) -> QuerySet[ModelVersion]:
    """The versions an officer may see; anyone else gets 403."""
    _check_officer(user)
    return model_version_list(name=name)


def model_version_get_for_user(*, user: User, model_version_id: int, name: str | None = None) -> ModelVersion:
    """One version (of model `name`, when given) for an officer; 403 for anyone else, 404
    when there is no such version."""
    try:
        return model_version_list_for_user(user=user, name=name).get(pk=model_version_id)
    except ModelVersion.DoesNotExist as error:
        raise Http404 from error
