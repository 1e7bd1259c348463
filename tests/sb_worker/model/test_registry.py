"""The model registry's verbs (add, list, promote, rollback) on both backends: the folder offline commands use
(SB_MODEL_DIR) and the SpamBrainz database the workers use, and `sb model` handing one to the other."""

import json

import pytest

from sb_worker.errors import BadInput
from sb_worker.model.registry import Folder
from tests.helpers import sb

pytestmark = pytest.mark.integration


def stored(directory, version: str) -> None:
    """A version folder as the registry sees it (its model.json), without a network to load."""
    (directory / version).mkdir(parents=True)
    (directory / version / "model.json").write_text(json.dumps({"version": version, "metrics": {"roc_auc": 0.9}}))


def test_a_folder_promotes_lists_and_rolls_back_like_the_database(tmp_path):
    folder = Folder(tmp_path / "models")
    assert folder.list() == [] and folder.active() is None
    with pytest.raises(BadInput, match="no earlier active model version"):
        folder.rollback()
    for version in ("nn-a", "nn-b", "nn-c"):
        stored(folder.directory, version)
    folder.promote("nn-a")
    folder.promote("nn-b")
    assert {v.version: v.status for v in folder.list()} == {"nn-a": "retired", "nn-b": "active", "nn-c": "candidate"}
    assert folder.list()[0].metrics == {"roc_auc": 0.9}
    assert folder.rollback() == "nn-a" and folder.active() == "nn-a"
    assert folder.rollback() == "nn-b"  # back to the one active before: a rollback can be rolled back
    with pytest.raises(BadInput, match="no model 'nn-zzz'.*stored: nn-"):
        folder.promote("nn-zzz")
    assert folder.active() == "nn-b"


def test_a_folder_adds_a_real_artifact_once_and_loads_it(tmp_path, default_model):
    folder = Folder(tmp_path / "models")
    assert folder.add(default_model) == (default_model.name, True)
    assert folder.add(default_model) == (default_model.name, False)
    assert folder.load(default_model.name).version == default_model.name
    assert not list(folder.directory.glob(".partial-*"))


def test_sb_model_promote_hands_what_sb_train_made_to_the_workers_and_rollback_undoes_it(settings, rt, default_model):
    version = default_model.name  # in SB_MODEL_DIR, where `sb train` puts it, and not yet in the database
    rt.store.models.store("nn-older", b"an artifact", {})
    rt.store.models.promote("nn-older")
    promoted = sb(settings, "model", "promote", version)
    assert promoted.returncode == 0, promoted.stderr
    assert f"stored {version} from {settings.model_dir}" in promoted.stdout and "workers switch" in promoted.stdout
    assert rt.store.models.active() == version and rt.store.models.load(version).version == version
    listed = sb(settings, "model", "list").stdout
    assert f"{version}  active" in listed and "nn-older  retired" in listed and "ROC-AUC 0." in listed
    assert sb(settings, "model", "rollback").stdout.startswith("nn-older is active")
    assert rt.store.models.active() == "nn-older"
    unknown = sb(settings, "model", "promote", "nn-nowhere")
    assert unknown.returncode == 2 and "no model version 'nn-nowhere' is stored" in unknown.stderr
    in_folder = sb(settings, "model", "list", "--folder").stdout
    assert f"{version}  active" in in_folder  # the folder's own active version is untouched
