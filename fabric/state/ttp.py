"""Parse CLI text with the TTP templates in ``templates/ttp/<platform>/<command>.ttp``."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from fabric.resources import templates_dir

TEMPLATE_DIR = templates_dir() / "ttp"


def template_path(platform: str, command: str) -> Path:
    name = re.sub(r"[^a-z0-9]+", "_", command.lower()).strip("_")
    return TEMPLATE_DIR / platform / f"{name}.ttp"


@functools.cache
def _template(path: Path) -> str:
    return path.read_text()


def parse(platform: str, command: str, text: str, group: str) -> list[dict[str, Any]]:
    """Rows of ``group`` (TTP returns a dict for one match and a list for many: always a list here)."""
    from ttp import ttp  # imported lazily: TTP is slow to import and the pytest plugin must stay fast

    parser = ttp(data=text, template=_template(template_path(platform, command)))
    parser.parse()
    rows: list[dict[str, Any]] = []
    for res in parser.result(structure="flat_list"):
        val = res.get(group) if isinstance(res, dict) else None
        if isinstance(val, dict):
            rows.append(val)
        elif isinstance(val, list):
            rows.extend(v for v in val if isinstance(v, dict))
    return rows
