"""A published version's bundle: packed from a bot and its model, refused when any byte differs."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlu import ModelError, load_bot
from nlu.bot import content_files
from nlu.bundle import Bundle, digest_of, load_unpacked, pack, sha256, unpack
from tests.support import MINI_BOT

MINI = load_bot(MINI_BOT)


def test_a_bundle_unpacks_to_the_same_bot_and_model(mini_model_dir: Path, tmp_path: Path) -> None:
    bundle = pack(MINI, mini_model_dir)
    assert set(bundle.files) >= {"content/intents.json", "content/bot.toml", "model/causette-model.json"}
    unpack(bundle, tmp_path / "version")
    bot, model = load_unpacked(tmp_path / "version", MINI.dataset.content_hash)
    assert bot.dataset.content_hash == model.info.content_hash == MINI.dataset.content_hash
    assert model.parse("vous ouvrez à quelle heure ?").intent.intent_name == "horaires"


def test_a_tampered_file_is_refused_and_nothing_is_written(mini_model_dir: Path, tmp_path: Path) -> None:
    bundle = pack(MINI, mini_model_dir)
    name = next(name for name in bundle.files if name.endswith(".safetensors"))
    tampered = Bundle(bundle.manifest, {**bundle.files, name: bundle.files[name][:-1] + b"\0"})
    with pytest.raises(ModelError, match=f"file {name} does not match its sha256"):
        unpack(tampered, tmp_path / "version")
    assert not (tmp_path / "version").exists()


def test_a_file_list_that_does_not_match_its_digest_is_refused(mini_model_dir: Path, tmp_path: Path) -> None:
    bundle = pack(MINI, mini_model_dir)
    extra = {**bundle.files, "content/extra.json": b"{}"}
    listed = {**bundle.manifest.files, "content/extra.json": "0" * 64}
    with pytest.raises(ModelError, match="does not match its digest"):
        unpack(Bundle(bundle.manifest.model_copy(update={"files": listed}), extra), tmp_path / "version")


def test_a_path_outside_the_bundle_is_refused(mini_model_dir: Path, tmp_path: Path) -> None:
    bundle = pack(MINI, mini_model_dir)
    evil = "content/../../evil.txt"
    listed = {**bundle.manifest.files, evil: sha256(b"x")}
    manifest = bundle.manifest.model_copy(update={"files": listed, "digest": digest_of(listed)})
    with pytest.raises(ModelError, match="refused file path"):
        unpack(Bundle(manifest, {**bundle.files, evil: b"x"}), tmp_path / "version")
    assert not (tmp_path / "evil.txt").exists()


def test_a_model_trained_on_other_content_is_not_packed(mini_model_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "bot"
    other.mkdir()
    for path in content_files(MINI_BOT):  # not its .causette folder (a model, a conversation log)
        (other / path.name).write_bytes(path.read_bytes())
    (other / "intents.json").write_text(
        (other / "intents.json").read_text(encoding="utf-8").replace("19h", "20h"), encoding="utf-8"
    )
    with pytest.raises(ModelError, match="was not trained on the content"):
        pack(load_bot(other), mini_model_dir)
