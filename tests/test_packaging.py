"""Packaging: the wheel carries the templates and renders on its own; declared dependencies match imports.

The install tests build netfabric from a copy of the working tree (what `git ls-files` holds plus
untracked, not ignored, files) so that setuptools' in-tree ``build/`` never touches the repository,
and install it into a fresh venv.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from fabric.design import load_fabric
from fabric.render import render_fabric

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]

# ---------------------------------------------------------------- the wheel (and an editable install) alone

# Run by the installed interpreter: where fabric and its data were found, and what the data holds.
PROBE = """
import json, fabric
from pathlib import Path
from fabric import render
from fabric.compliance import engine
from fabric.state import ttp
tpl = Path(render.TEMPLATES)
print(json.dumps({
    "fabric": str(Path(fabric.__file__).parent),
    "templates": str(tpl),
    "rules": str(engine.RULES_DIR),
    "ttp": str(ttp.TEMPLATE_DIR),
    "files": sorted(str(p.relative_to(tpl)) for p in tpl.rglob("*") if p.is_file() and p.suffix != ".pyc"),
    "rules_loaded": sorted(engine.load_rules(p.stem).platform for p in Path(engine.RULES_DIR).glob("*.yaml")),
}))
"""


def _template_files(root: Path) -> list[str]:
    return sorted(
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py"
    )


def _source_copy(dest: Path) -> Path:
    listed = subprocess.run(
        ["git", "-C", str(ROOT), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = ROOT / rel
        if src.is_file():  # a tracked file deleted in the working tree is not part of it
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    return dest


def _run(
    cmd: list[str | Path], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, cwd=cwd, env=env)
    assert r.returncode == 0, f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    return r


@pytest.mark.parametrize("mode", ["wheel", "editable"])
def test_installed_netfabric_renders_without_the_checkout(mode: str, tmp_path: Path) -> None:
    src = _source_copy(tmp_path / "src")
    # How the install is isolated from this checkout and from .venv's editable netfabric:
    # - a fresh venv (from the running interpreter, --without-pip), netfabric installed into it with
    #   --no-deps by this interpreter's pip (`pip --python`);
    # - the third-party dependencies come from the running interpreter's site-packages, appended to the
    #   new venv's sys.path by a .pth line. A directory added that way is not a site dir, so the .pth
    #   files inside it (.venv's editable finder for `fabric`) are never executed, and .venv holds no
    #   `fabric/` directory of its own: `import fabric` can only find the new install (asserted below).
    # Building needs setuptools>=68 and wheel in pip's isolated build env (PyPI or pip's cache).
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv])
    if mode == "wheel":
        _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", tmp_path / "dist", src])
        (wheel,) = (tmp_path / "dist").glob("netfabric-*.whl")
        target: list[str | Path] = [wheel]
    else:
        target = ["-e", src]
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            venv / "bin" / "python",
            "install",
            "-q",
            "--no-deps",
            *target,
        ]
    )
    purelib = _run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]
    )
    (Path(purelib.stdout.strip()) / "_netfabric_test_deps.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )

    cwd = tmp_path / "elsewhere"  # outside the repository: nothing relative to the cwd may be needed
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    probe = json.loads(_run([venv / "bin" / "python", "-c", PROBE], cwd=cwd, env=env).stdout)

    fabric_dir, tpl = Path(probe["fabric"]).resolve(), Path(probe["templates"]).resolve()
    if mode == "wheel":
        assert fabric_dir.is_relative_to(venv.resolve()), probe
        assert tpl == fabric_dir / "templates", probe
    else:
        assert fabric_dir == (src / "fabric").resolve(), probe
        assert tpl == (src / "templates").resolve(), probe  # the checkout's own tree: edits show at once
    assert Path(probe["rules"]).resolve() == tpl / "compliance"
    assert Path(probe["ttp"]).resolve() == tpl / "ttp"
    assert [f for f in probe["files"] if f != "__init__.py"] == _template_files(ROOT / "templates")
    assert probe["rules_loaded"] == sorted(p.stem for p in (ROOT / "templates" / "compliance").glob("*.yaml"))

    out = tmp_path / "out"
    _run([venv / "bin" / "fabric", "render", ROOT / "inventory" / "dc1", "--out", out], cwd=cwd, env=env)
    expected = render_fabric(load_fabric(ROOT / "inventory" / "dc1"))
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{h}.cfg" for h in expected)
    for host, text in expected.items():
        assert (out / f"{host}.cfg").read_text() == text, host


def test_every_python_package_under_fabric_is_listed() -> None:
    """[tool.setuptools] packages is an explicit list (a mapped package cannot be found by `find`):
    a new package directory must be added to it, or the wheel ships without it."""
    on_disk = {
        ".".join(d.relative_to(ROOT).parts)
        for d in {p.parent for p in (ROOT / "fabric").rglob("*.py")}
        if "__pycache__" not in d.parts
    }
    listed = set(SETUPTOOLS["packages"])
    assert sorted(on_disk - listed) == [], "add these to [tool.setuptools] packages in pyproject.toml"
    assert sorted(listed - on_disk) == ["fabric.templates"], "listed in pyproject.toml but not under fabric/"
    assert SETUPTOOLS["package-dir"] == {"fabric.templates": "templates"}


def test_package_data_globs_cover_every_template_file() -> None:
    """setuptools expands package-data patterns with glob(recursive=True) relative to the package
    directory; Path.glob expands them the same way, so this is the set of files the wheel gets."""
    tpl = ROOT / "templates"
    shipped = {
        str(p.relative_to(tpl)) for g in SETUPTOOLS["package-data"]["fabric.templates"] for p in tpl.glob(g)
    }
    assert sorted(shipped) == _template_files(tpl)


def test_templates_dir_of_an_editable_install_and_of_a_bare_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib import resources as importlib_resources

    from fabric import resources

    # .venv's editable install maps the package fabric.templates to the checkout's templates/
    assert importlib_resources.files("fabric.templates") == ROOT / "templates"
    assert resources.templates_dir() == ROOT / "templates"

    def not_installed(name: str) -> object:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    monkeypatch.setattr(resources.resources, "files", not_installed)
    assert resources.templates_dir() == ROOT / "templates"


# ---------------------------------------------------------------- dependencies


def _requirements(group: str | None) -> dict[str, Requirement]:
    reqs = (
        PYPROJECT["project"]["dependencies"]
        if group is None
        else PYPROJECT["project"]["optional-dependencies"][group]
    )
    return {canonicalize_name(r.name): r for r in map(Requirement, reqs)}


MAIN = _requirements(None)
TEST = _requirements("test")
BENCH = _requirements("bench")  # optional (make bench): only bench/ may import it, installed or not

# Declared though nothing imports them, and why.
USED_WITHOUT_IMPORT = {
    "napalm": "NAPALM drivers, opened through nornir-napalm's 'napalm' connection",
    "napalm-srlinux": "NAPALM loads the community driver 'srlinux' by name (napalm_srlinux)",
    "napalm-sros": "NAPALM loads the community driver 'sros' by name (napalm_sros): backups and getters",
    "nornir-napalm": "nornir connection plugin 'napalm' (host.get_connection('napalm'))",
    "nornir-scrapli": "nornir connection plugin 'scrapli' (host.get_connection('scrapli'))",
    "scrapli-community": "scrapli loads community platforms (nokia_srlinux, nokia_sros) from it by name",
    "scrapli-netconf": "nornir-scrapli's 'scrapli_netconf' connection, configured by fabric/inventory.py",
    "scrapli-cfg": "pulled by nornir-scrapli; declared only to cap it to scrapli's pre-rewrite line",
    "pytest-xdist": "make test runs pytest -n 2 (a pytest plugin; tests/conftest.py schedules with it)",
    "ruff": "make lint",
    "mypy": "make lint",
    "types-pyyaml": "type stubs for mypy",
}
# fabric/pytest_plugin.py is loaded only by pytest (entry point pytest11): pytest is there already.
IMPORT_WITHOUT_DECLARATION = {("fabric/pytest_plugin.py", "pytest")}  # (file, import name)


def _imports(*dirs: str) -> dict[str, set[str]]:
    """Top-level names of every absolute import (function-level and TYPE_CHECKING ones included)."""
    found: dict[str, set[str]] = {}
    for d in dirs:
        for f in (ROOT / d).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(), str(f))):
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], set()).add(str(f.relative_to(ROOT)))
    return found


def _local(*dirs: str) -> set[str]:
    """Modules of the repository itself (tests import their helpers by bare name)."""
    names = {"fabric", *dirs}
    for d in dirs:
        names |= {p.stem for p in (ROOT / d).rglob("*.py")} | {
            p.name for p in (ROOT / d).rglob("*") if p.is_dir()
        }
    return names


def _providers(imports: dict[str, set[str]], local: set[str]) -> dict[str, tuple[set[str], set[str]]]:
    """Third-party import name -> (distributions providing it, canonical names; files importing it)."""
    providers = importlib.metadata.packages_distributions()
    return {
        name: ({canonicalize_name(d) for d in providers.get(name, [])}, files)
        for name, files in imports.items()
        if name not in sys.stdlib_module_names and name not in local and name != "__future__"
    }


RUNTIME = _providers(_imports("fabric"), _local())
TESTS = _providers(_imports("tests", "bench"), _local("tests", "bench"))


def test_every_import_is_declared() -> None:
    missing = {
        name: (sorted(dists) or "nothing installed provides it", sorted(files))
        for name, (dists, files) in RUNTIME.items()
        if not dists & MAIN.keys() and not all((f, name) in IMPORT_WITHOUT_DECLARATION for f in files)
    }
    assert missing == {}, "imported by fabric/ but not in [project] dependencies"
    missing = {
        name: (sorted(dists) or "nothing installed provides it", sorted(files))
        for name, (dists, files) in TESTS.items()
        if not dists & (MAIN.keys() | TEST.keys())
        and not (
            all(f.startswith("bench/") for f in files)
            and (dists or {canonicalize_name(name)}) & BENCH.keys()
        )
    }
    assert missing == {}, (
        "imported by tests/ or bench/ but declared neither in the test extra nor as a dependency"
    )


def test_every_declared_dependency_is_used() -> None:
    runtime = set().union(*(dists for dists, _ in RUNTIME.values()))
    tests = set().union(*(dists for dists, _ in TESTS.values()))
    unused = sorted(d for d in MAIN if d not in runtime and d not in USED_WITHOUT_IMPORT)
    assert unused == [], "declared in [project] dependencies but fabric/ never imports them"
    unused = sorted(d for d in TEST if d not in tests and d not in USED_WITHOUT_IMPORT)
    assert unused == [], "declared in the test extra but tests/ and bench/ never import them"
    stale = sorted(d for d in USED_WITHOUT_IMPORT if d not in MAIN and d not in TEST)
    assert stale == [], "USED_WITHOUT_IMPORT names a dependency that is no longer declared"


# The first scrapli release of the rewrite (no `Scrapli` class; scrapli-netconf cannot import it).
SCRAPLI_REWRITE = "2026.10.3"
SCRAPLI_FAMILY = ("scrapli", "scrapli-community", "scrapli-netconf", "scrapli-cfg", "nornir-scrapli")


def test_scrapli_family_is_capped_below_the_rewrite_and_imports() -> None:
    assert SCRAPLI_REWRITE not in MAIN["scrapli"].specifier
    for name in SCRAPLI_FAMILY:
        spec = MAIN[name].specifier
        assert any(s.operator in ("<", "<=", "==", "~=") for s in spec), f"{name} has no upper bound"
        assert importlib.metadata.version(name) in spec, name
    from scrapli import Scrapli

    for module in ("scrapli_netconf", "scrapli_community", "scrapli_cfg", "nornir_scrapli.connection"):
        importlib.import_module(module)
    # the factory resolves a core platform and a scrapli-community one (no connection is opened)
    assert type(Scrapli(host="192.0.2.1", platform="arista_eos")).__module__.startswith("scrapli.driver.core")
    from scrapli_community.nokia.srlinux.nokia_srlinux import SCRAPLI_PLATFORM

    srl = Scrapli(host="192.0.2.1", platform="nokia_srlinux")
    assert (
        srl.privilege_levels["exec"].pattern
        == SCRAPLI_PLATFORM["defaults"]["privilege_levels"]["exec"].pattern
    )


def _constraints() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", line
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_constraints_pin_every_declared_dependency_within_its_bounds() -> None:
    pins = _constraints()
    for name in ("pip", "setuptools", "wheel", "netfabric"):
        assert name not in pins, f"constraints.txt pins {name}"
    for name, req in {**MAIN, **TEST}.items():
        assert name in pins, f"constraints.txt has no pin for {name} (run `make constraints`)"
        assert SpecifierSet(str(req.specifier)).contains(pins[name]), f"{name}=={pins[name]} outside {req}"
