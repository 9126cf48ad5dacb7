"""netfabric: run multi-vendor fabrics as software.

Public API (kept small on purpose):

* :func:`load_fabric` - expand ``inventory/<name>/fabric.yaml`` into per-device intent.
* :func:`load_nornir` - a ready Nornir object for a fabric.
* :class:`FabricError` - every user-facing error (file, key, fix).
"""

from fabric.errors import FabricError

__version__ = "0.1.0"
__all__ = ["FabricError", "__version__", "load_fabric", "load_nornir"]


def load_fabric(path):  # type: ignore[no-untyped-def]
    """Expand a fabric file (or ``inventory/<name>`` directory) into a :class:`fabric.model.Fabric`."""
    from fabric.design import load_fabric as _load

    return _load(path)


def load_nornir(path, **kwargs):  # type: ignore[no-untyped-def]
    """Return a ready Nornir object for a fabric (see :func:`fabric.inventory.load_nornir`)."""
    from fabric.inventory import load_nornir as _load

    return _load(path, **kwargs)
