"""Where models live: a folder of artifacts for offline commands, versions in the SpamBrainz database for the
service, and the default model, built from the bundled corpus on first use."""

from __future__ import annotations

import io
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from sb_worker.errors import BadInput
from sb_worker.settings import Settings

ACTIVE = "ACTIVE"  # in a model folder: the name of the active version


class ModelStore:
    """A folder of model artifacts, one sub-folder per version, and a file naming the active one."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)

    def versions(self) -> list[str]:
        """Every version stored, oldest first."""
        if not self.directory.is_dir():
            return []
        found = [p for p in self.directory.iterdir() if p.is_dir() and (p / "model.json").exists()]
        return [p.name for p in sorted(found, key=lambda p: p.stat().st_mtime)]

    def active(self) -> Path | None:
        """The active artifact's folder, or None."""
        marker = self.directory / ACTIVE
        if not marker.exists():
            return None
        path = self.directory / marker.read_text(encoding="utf-8").strip()
        return path if (path / "model.json").exists() else None

    def activate(self, version: str) -> None:
        """Make ``version`` the active one (atomically)."""
        if version not in self.versions():
            raise BadInput(f"no model {version!r} in {self.directory}; stored: {', '.join(self.versions()) or 'none'}")
        tmp = self.directory / f".{ACTIVE}.tmp"
        tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(tmp, self.directory / ACTIVE)


def training_pipelines(settings: Settings):
    """What training scores records with: the configured detectors, given a reputation table, equal weights."""
    from sb_worker.pipeline import Weights, build_pipeline

    cache_dir = settings.cache_dir or None
    return lambda reputation: build_pipeline(settings.detectors, weights=Weights(), reputation=reputation,
                                             cache_dir=cache_dir)


def train_default(settings: Settings, seed: int = 7) -> Any:
    """Train the default model on the bundled corpus's training split."""
    from sb_worker.corpus import labelled
    from sb_worker.neural import train

    return train(labelled("train"), training_pipelines(settings), seed=seed)


def offline_model(settings: Settings, path: str | None = None, say=print) -> Any:
    """The model offline commands use: ``path``, else the store's active one, else the default, built now."""
    from sb_worker.neural import NeuralModel, save_atomically

    from sb_worker.neural import ModelError

    if path:
        return NeuralModel.load(Path(path))
    store = ModelStore(settings.model_dir)
    active = store.active()
    if active is not None:
        try:
            return NeuralModel.load(active)
        except ModelError as exc:  # e.g. made by an older SpamBrainz: the default is rebuilt, the folder kept
            say(f"the active model in {store.directory} cannot be used ({exc}): training the default one anew")
    else:
        say(f"no model in {store.directory} yet: training the default one on the bundled corpus (once)")
    model = train_default(settings)
    save_atomically(model, store.directory)
    store.activate(model.version)
    return model


def register(store: Any, directory: Path, activate: bool = False) -> tuple[str, bool]:
    """Store the artifact in ``directory`` in the SpamBrainz database (and make it active); returns its version
    and whether it was new. The artifact is loaded first, so what workers could not load is refused here."""
    import json

    from sb_worker.neural import NeuralModel

    model = NeuralModel.load(directory)
    info = json.loads((Path(directory) / "model.json").read_text(encoding="utf-8"))
    added = store.add_model(model.version, pack(directory), {k: info.get(k) for k in ("libraries", "metrics", "data_hash")})
    if activate:
        store.activate_model(model.version)
    return model.version, added


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


def load_version(store: Any, version: str) -> Any:
    """A model version from the SpamBrainz database, loaded in full (its unpacked files are not kept)."""
    from sb_worker.neural import NeuralModel

    with tempfile.TemporaryDirectory(prefix="sb-model-") as tmp:
        return NeuralModel.load(unpack(store.model_artifact(version), Path(tmp)))
