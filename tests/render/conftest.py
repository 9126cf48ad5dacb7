from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fabric_copy(tmp_path: Path):
    """Write a modified copy of inventory/<name>/fabric.yaml; returns its path."""

    def make(name: str, edit) -> Path:  # type: ignore[no-untyped-def]
        data = yaml.safe_load((ROOT / "inventory" / name / "fabric.yaml").read_text())
        edit(data)
        d = tmp_path / f"{name}-{len(list(tmp_path.iterdir()))}"
        d.mkdir()
        (d / "fabric.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        return d / "fabric.yaml"

    return make
