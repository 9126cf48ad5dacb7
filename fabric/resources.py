"""Where the package data lives: the ``templates/`` tree, shipped as the package ``fabric.templates``.

The repository keeps ``templates/`` at its top level; pyproject.toml maps it to ``fabric.templates``
(``[tool.setuptools] package-dir``), so a wheel carries it inside ``fabric/templates/`` and an editable
install maps the package to the checkout's ``templates/``. ``importlib.resources`` finds it either way.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fabric.errors import FabricError


def templates_dir() -> Path:
    """The templates tree: ``<platform>/*.j2``, ``compliance/<platform>.yaml``, ``ttp/<platform>/*.ttp``."""
    try:
        found = resources.files("fabric.templates")
    except ModuleNotFoundError as exc:
        if exc.name != "fabric.templates":
            raise
        # A source checkout run without an install (PYTHONPATH=., as fabric.vendors also supports) has no
        # fabric.templates mapping: the tree is the checkout's templates/, next to fabric/.
        checkout = Path(__file__).resolve().parent.parent / "templates"
        if checkout.is_dir():
            return checkout
        raise FabricError(
            "the templates are not installed (no package fabric.templates)",
            fix="reinstall netfabric: `make venv`, or `pip install .` from a checkout",
        ) from None
    if not isinstance(found, Path):  # e.g. imported from a zip: Jinja2 and TTP need real files
        raise FabricError(
            f"the templates are not on the file system ({found})", fix="install netfabric unzipped (pip)"
        )
    return found
