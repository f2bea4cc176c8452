"""What every saved part of a bow model shares, as snips-nlu's processing units persist
themselves: a folder of its own, holding a ``metadata.json`` that names the unit and the format
it was written in, next to the unit's own files (JSON, safetensors, crfsuite: never pickle)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from nlu.errors import ModelError

METADATA_FILE = "metadata.json"


class UnitMetadata(BaseModel):
    """A saved unit's ``metadata.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str
    format: int


def write_metadata(folder: Path, unit: str, version: int) -> None:
    """Create the unit's ``folder`` and record which unit, in which format, it holds."""
    folder.mkdir(parents=True, exist_ok=True)
    metadata = UnitMetadata(unit=unit, format=version)
    (folder / METADATA_FILE).write_text(metadata.model_dump_json(), encoding="utf-8")


def check_metadata(folder: Path, unit: str, version: int) -> None:
    """ModelError unless ``folder`` holds ``unit`` in format ``version``.

    A folder without metadata, or with another format, was written by another version of the
    backend (or another layout of it): the way out is to retrain, and the message says so.
    """
    path = folder / METADATA_FILE
    if not path.is_file():
        raise ModelError(f"{path} is missing: it was saved by another version of the bow backend; retrain it")
    found = UnitMetadata.model_validate_json(path.read_text(encoding="utf-8"))
    if found.unit != unit:
        raise ModelError(f"{folder} holds a {found.unit!r} unit, not {unit!r}")
    if found.format != version:
        raise ModelError(
            f"{folder} holds {unit!r} format {found.format}, not {version}: "
            "it was saved by another version of the bow backend; retrain it"
        )
