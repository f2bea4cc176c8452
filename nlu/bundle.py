"""A published model version: the bot's content files and its trained model's files, as bytes.

A bundle is what travels between processes. Its manifest lists every file with its sha256 and
a digest of that list; a receiver checks each file against the manifest before writing it, and
the unpacked folder is then loaded with the usual checks: the content files must hash to the
version's content hash, and the model files to the checksums of the model's own metadata.
Nothing in a bundle is executable: JSON, text, safetensors and ``.npy`` files, as on disk.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from nlu.bot import Bot, content_files, load_bot
from nlu.errors import ContentError, ModelError
from nlu.model import Model, read_info

CONTENT = "content/"  # prefix of the bot's content files in a bundle
MODEL = "model/"  # prefix of the trained model's files


class Manifest(BaseModel):
    """What a bundle holds: the version (content hash), the model's summary, each file's sha256."""

    content_hash: str
    backend: str
    intents: int
    trained_at: datetime
    files: dict[str, str]  # bundle path -> sha256
    digest: str  # sha256 over the sorted (path, sha256) pairs: the whole bundle's checksum
    size_bytes: int


@dataclass(frozen=True)
class Bundle:
    """A manifest and the bytes of every file it lists."""

    manifest: Manifest
    files: dict[str, bytes]


def sha256(data: bytes) -> str:
    """Hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def digest_of(files: dict[str, str]) -> str:
    """The checksum of a whole bundle, from its files' checksums."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(f"{name}\0{files[name]}\n".encode())
    return digest.hexdigest()


def pack(bot: Bot, model_dir: Path) -> Bundle:
    """Bundle ``bot``'s content with the model saved in ``model_dir``, which must be trained on it."""
    info = read_info(model_dir)
    if not info.is_current(bot):
        raise ModelError(f"the model in {model_dir} was not trained on the content of {bot.folder}")
    files = {
        f"{CONTENT}{path.relative_to(bot.folder).as_posix()}": path.read_bytes() for path in content_files(bot.folder)
    }
    files.update(
        {f"{MODEL}{path.relative_to(model_dir).as_posix()}": path.read_bytes() for path in _files_under(model_dir)}
    )
    checksums = {name: sha256(data) for name, data in files.items()}
    manifest = Manifest(
        content_hash=info.content_hash,
        backend=info.backend,
        intents=len(info.intents),
        trained_at=info.trained_at,
        files=checksums,
        digest=digest_of(checksums),
        size_bytes=sum(len(data) for data in files.values()),
    )
    return Bundle(manifest, files)


def verify(bundle: Bundle) -> None:
    """Raise ModelError unless every file matches the manifest and the manifest its digest."""
    manifest = bundle.manifest
    if digest_of(manifest.files) != manifest.digest:
        raise ModelError(f"version {manifest.content_hash[:12]}: the file list does not match its digest")
    if set(bundle.files) != set(manifest.files):
        missing = sorted(set(manifest.files) ^ set(bundle.files))
        raise ModelError(f"version {manifest.content_hash[:12]}: files missing or unlisted: {', '.join(missing)}")
    for name, data in bundle.files.items():
        if _unsafe(name):
            raise ModelError(f"version {manifest.content_hash[:12]}: refused file path {name!r}")
        if sha256(data) != manifest.files[name]:
            raise ModelError(f"version {manifest.content_hash[:12]}: file {name} does not match its sha256")


def unpack(bundle: Bundle, target: Path) -> None:
    """Verify ``bundle`` and write it to ``target`` (``content/``, ``model/``), replacing it at once."""
    verify(bundle)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        for name, data in bundle.files.items():
            path = staging / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        old = target.with_name(f".old-{target.name}-{time.time_ns()}")
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def load_unpacked(folder: Path, content_hash: str) -> tuple[Bot, Model]:
    """The bot and model of an unpacked version, checked to be version ``content_hash``."""
    try:
        bot = load_bot(folder / CONTENT.rstrip("/"))
    except ContentError as error:
        raise ModelError(f"version {content_hash[:12]}: its content does not load: {error.problems}") from error
    model = Model.load(folder / MODEL.rstrip("/"))
    if bot.dataset.content_hash != content_hash or not model.info.is_current(bot):
        raise ModelError(f"version {content_hash[:12]}: its files hash to {bot.dataset.content_hash[:12]}")
    return bot, model


def _files_under(folder: Path) -> list[Path]:
    return [path for path in sorted(folder.rglob("*")) if path.is_file()]


def _unsafe(name: str) -> bool:
    """A bundle path that would be written outside its folder, or outside its two parts."""
    parts = Path(name).parts
    return not name.startswith((CONTENT, MODEL)) or ".." in parts or Path(name).is_absolute()
