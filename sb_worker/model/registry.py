"""Where trained models live, behind one set of verbs — add, list, promote, rollback, active, load — with two
backends: a folder (SB_MODEL_DIR, this module's :class:`Folder`) for offline commands, and the SpamBrainz database
(:class:`sb_worker.storage.store.models.Models`) for the workers. `sb train` and `sb learn` add to the folder;
`sb model promote` hands a version to the workers. The default model is built from the bundled corpus on first use."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sb_worker.errors import BadInput
from sb_worker.settings import Settings

if TYPE_CHECKING:  # Keras is imported only where a model is used
    from sb_worker.model.neural import NeuralModel

ACTIVE = "ACTIVE"        # in a model folder: the name of the active version
PROMOTED = "PROMOTED"    # ... and every promotion, one "version<TAB>time" line each, for rollback


@dataclass(frozen=True)
class Version:
    """One stored model version."""

    version: str
    status: str                  # "active", "retired" (active once) or "candidate" (never active)
    created_at: dt.datetime
    promoted_at: dt.datetime | None
    metrics: dict[str, Any] | None


class Registry(Protocol):
    """What both backends do."""

    where: str  # for messages: where the versions are

    def add(self, directory: Path) -> tuple[str, bool]: ...
    def list(self) -> list[Version]: ...
    def promote(self, version: str) -> None: ...
    def rollback(self) -> str: ...
    def active(self) -> str | None: ...
    def load(self, version: str) -> NeuralModel: ...


class Folder:
    """A folder of model artifacts, one sub-folder a version, a file naming the active one and a log of
    promotions."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self.where = str(self.directory)

    def _versions(self) -> list[Path]:
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if p.is_dir() and (p / "model.json").exists()]
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)

    def _promotions(self) -> list[tuple[str, dt.datetime]]:
        log = self.directory / PROMOTED
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [(v, dt.datetime.fromisoformat(t)) for v, _, t in (line.partition("\t") for line in lines) if t]

    def path(self, version: str) -> Path:
        """The folder of a stored version."""
        path = self.directory / version
        if not (path / "model.json").exists():
            stored = ", ".join(p.name for p in self._versions()) or "none"
            raise BadInput(f"no model {version!r} in {self.directory}; stored: {stored}")
        return path

    def add(self, directory: Path) -> tuple[str, bool]:
        """Copy the artifact in ``directory`` in (loaded first, so a broken one is refused); returns its version and
        whether it was new. An artifact already in the folder stays where it is."""
        from sb_worker.model.neural import NeuralModel

        version = NeuralModel.load(directory).version
        final = self.directory / version
        if final.exists():
            return version, False
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.directory, prefix=".partial-"))
        shutil.rmtree(tmp)
        shutil.copytree(directory, tmp)
        os.replace(tmp, final)
        return version, True

    def list(self) -> list[Version]:
        """Every stored version, newest first."""
        promoted: dict[str, dt.datetime] = {}
        for version, when in self._promotions():
            promoted[version] = when
        active = self.active()
        versions = []
        for path in self._versions():
            info = json.loads((path / "model.json").read_text(encoding="utf-8"))
            status = "active" if path.name == active else "retired" if path.name in promoted else "candidate"
            versions.append(Version(path.name, status, dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc),
                                    promoted.get(path.name), info.get("metrics")))
        return versions

    def promote(self, version: str) -> None:
        """Make ``version`` the active one (atomically) and log it."""
        self.path(version)
        with open(self.directory / PROMOTED, "a", encoding="utf-8") as log:
            log.write(f"{version}\t{dt.datetime.now(dt.timezone.utc).isoformat()}\n")
        tmp = self.directory / f".{ACTIVE}.tmp"
        tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(tmp, self.directory / ACTIVE)

    def rollback(self) -> str:
        """Make the version that was active before the current one active again; returns it."""
        current = self.active()
        stored = {p.name for p in self._versions()}
        earlier = [v for v, _ in reversed(self._promotions()) if v != current and v in stored]
        if not earlier:
            raise BadInput(f"there is no earlier active model version in {self.directory} to roll back to")
        self.promote(earlier[0])
        return earlier[0]

    def active(self) -> str | None:
        """The active version, or None."""
        marker = self.directory / ACTIVE
        if not marker.exists():
            return None
        version = marker.read_text(encoding="utf-8").strip()
        return version if (self.directory / version / "model.json").exists() else None

    def load(self, version: str) -> NeuralModel:
        from sb_worker.model.neural import NeuralModel

        return NeuralModel.load(self.path(version))


def promote(registry: Registry, version: str, folder: Folder | None = None) -> bool:
    """Make ``version`` the active one in ``registry``; a version stored only in ``folder`` (what `sb train` and
    `sb learn` write) is added from there first. Returns whether it was added."""
    added = False
    if folder is not None and version not in {v.version for v in registry.list()}:
        try:
            path = folder.path(version)
        except BadInput:
            pass  # not in the folder either: the registry names what it has
        else:
            added = registry.add(path)[1]
    registry.promote(version)
    return added


def training_pipelines(settings: Settings):
    """What training scores records with: the configured detectors, given a reputation table, equal weights."""
    from sb_worker.scoring.pipeline import Weights, build_pipeline

    cache_dir = settings.cache_dir or None
    return lambda reputation: build_pipeline(settings.detectors, weights=Weights(), reputation=reputation,
                                             cache_dir=cache_dir)


def train_default(settings: Settings, seed: int = 7) -> NeuralModel:
    """Train the default model on the bundled corpus's training split."""
    from sb_worker.model.corpus import labelled
    from sb_worker.model.training import train

    return train(labelled("train"), training_pipelines(settings), seed=seed)


def save(model: NeuralModel, folder: Folder, promote: bool) -> Path:
    """Save a model just trained into ``folder`` (atomically, a reader never sees half an artifact), and make it
    the active one there when ``promote``; returns its folder."""
    from sb_worker.model.neural import save_atomically

    where = save_atomically(model, folder.directory)
    if promote:
        folder.promote(model.version)
    return where


def offline_model(settings: Settings, path: str | None = None, say=print) -> NeuralModel:
    """The model offline commands use: ``path``, else the folder's active one, else the default, built now."""
    from sb_worker.model.neural import ModelError, NeuralModel

    if path:
        return NeuralModel.load(Path(path))
    folder = Folder(settings.model_dir)
    active = folder.active()
    if active is not None:
        try:
            return folder.load(active)
        except ModelError as exc:  # e.g. made by an older SpamBrainz: the default is rebuilt, the folder kept
            say(f"the active model in {folder.where} cannot be used ({exc}): training the default one anew")
    else:
        say(f"no model in {folder.where} yet: training the default one on the bundled corpus (once)")
    model = train_default(settings)
    save(model, folder, promote=True)
    return model


def pack(directory: Path) -> bytes:
    """An artifact folder as one gzipped tar, for the database."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=".")
    return buffer.getvalue()


def unpack(blob: bytes, into: Path) -> Path:
    """Extract a packed artifact into a new folder under ``into``; returns the folder."""
    target = Path(tempfile.mkdtemp(dir=into, prefix="model-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(blob), mode="r:gz") as tar:
            tar.extractall(target, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(target, ignore_errors=True)
        raise BadInput(f"the stored model artifact cannot be read: {exc}") from None
    return target
