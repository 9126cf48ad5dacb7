"""Rollout playbooks (``tasks/*.yaml``): targets, the change, waves, constraints, gates, failure policy.

Strict models (``extra='forbid'``): a typo is an error naming the file, the line, the key and the fix,
exactly like fabric.yaml errors (same loader, same FabricError).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from fabric.errors import FabricError
from fabric.yamlfile import YamlDoc, load_yaml

DEVICE_CHECKS = ("bgp", "interfaces", "config_applied")
NEIGHBOR_CHECKS = ("bgp",)
SNAPSHOT_RULES = ("bgp_established_no_decrease", "routes_no_decrease", "routes_max_loss_pct")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Targets(_Strict):
    """Every given filter must match (AND); inside one list, any value matches (OR)."""

    roles: list[str] = []
    platforms: list[str] = []
    sites: list[str] = []
    tags: list[str] = []
    hosts: list[str] = []
    exclude: list[str] = []


class Change(_Strict):
    type: Literal["golden", "merge", "intent_patch"]
    # merge: a Jinja2 snippet, one for every platform or one per platform ({frr: ..., eos: ...}).
    template: str | dict[str, str] | None = None
    vars: dict[str, Any] = {}
    # intent_patch: deep-merged into fabric.yaml, then the golden configs are re-rendered and replaced.
    patch: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Change:
        if self.type == "merge" and not self.template:
            raise ValueError("a 'merge' change needs 'template' (a Jinja2 snippet, or one per platform)")
        if self.type == "intent_patch" and not self.patch:
            raise ValueError("an 'intent_patch' change needs 'patch' (keys of fabric.yaml to change)")
        if self.type != "merge" and self.template:
            raise ValueError(f"'template' is only used by 'merge' changes, not '{self.type}'")
        return self


Size = int | str  # 3 or "25%"


def _size(v: Any) -> Any:
    if isinstance(v, str):
        s = v.strip()
        if not s.endswith("%") or not s[:-1].isdigit() or not 0 < int(s[:-1]) <= 100:
            raise ValueError(f"'{v}' is neither a device count nor a percentage like '25%'")
    elif isinstance(v, int) and v < 1:
        raise ValueError(f"a wave size must be >= 1 (got {v})")
    return v


class Waves(_Strict):
    # canary: a count, or explicit hosts.
    canary: int | list[str] = 1
    # then increasing sizes: counts or percentages of all targets; the last wave takes the rest.
    sizes: list[Size] = ["50%", "100%"]

    @field_validator("canary")
    @classmethod
    def _canary(cls, v: int | list[str]) -> int | list[str]:
        if isinstance(v, int) and v < 0:
            raise ValueError("canary must be >= 0 (0: no canary wave)")
        return v

    _sizes = field_validator("sizes", mode="before")(
        lambda v: [_size(x) for x in v] if isinstance(v, list) else v
    )


class Constraints(_Strict):
    # Never change two members of one redundancy group (DeviceIntent.redundancy_group) in one wave.
    redundancy_groups: bool = True
    max_in_flight: Annotated[int, Field(ge=1)] | None = None  # devices changed at once inside a wave


class SnapshotRule(_Strict):
    rule: str
    value: float = 0

    @field_validator("rule")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in SNAPSHOT_RULES:
            raise ValueError(f"unknown snapshot rule '{v}' (known: {', '.join(SNAPSHOT_RULES)})")
        return v


class Gates(_Strict):
    device: list[str] = ["config_applied", "bgp"]  # config_applied runs on every gate (engine._gate)
    neighbors: list[str] = ["bgp"]
    convergence_wait: Annotated[float, Field(ge=0)] = 2.0  # before the first look
    convergence_timeout: Annotated[float, Field(gt=0)] = 30.0  # keep polling the gate until then
    snapshot_rules: list[SnapshotRule] = [SnapshotRule(rule="bgp_established_no_decrease")]
    validate_checks: list[str] = []  # fabric.validation check names run on the device

    @field_validator("device")
    @classmethod
    def _dev(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in DEVICE_CHECKS]
        if bad:
            raise ValueError(f"unknown device check(s) {bad} (known: {', '.join(DEVICE_CHECKS)})")
        return v

    @field_validator("neighbors")
    @classmethod
    def _nei(cls, v: list[str]) -> list[str]:
        bad = [c for c in v if c not in NEIGHBOR_CHECKS]
        if bad:
            raise ValueError(f"unknown neighbor check(s) {bad} (known: {', '.join(NEIGHBOR_CHECKS)})")
        return v


class FailurePolicy(_Strict):
    rollback: Literal["wave", "all"] = "wave"  # the failed wave, or everything done so far
    halt: Literal[True] = True  # a failed wave always stops the rollout


class Playbook(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,60}$")]
    description: str = ""
    targets: Targets = Targets()
    change: Change
    waves: Waves = Waves()
    constraints: Constraints = Constraints()
    gates: Gates = Gates()
    commit_confirm: Annotated[int, Field(ge=5, le=3600)] = 120  # seconds before an unconfirmed device reverts
    failure: FailurePolicy = FailurePolicy()
    file: str | None = None

    @field_validator("commit_confirm")
    @classmethod
    def _outlasts_gate(cls, v: int, info: ValidationInfo) -> int:
        # The confirm comes after the gate: a timer shorter than the gate's own wait + timeout would
        # revert a device that is merely slow to converge. (A wave is confirmed after its slowest
        # device: big waves need more on top, see docs/rollout.md.)
        gates = info.data.get("gates")
        if isinstance(gates, Gates) and v <= gates.convergence_wait + gates.convergence_timeout:
            need = int(gates.convergence_wait + gates.convergence_timeout) + 1
            raise ValueError(
                f"{v} s does not outlast the gate (gates.convergence_wait + gates.convergence_timeout = "
                f"{gates.convergence_wait + gates.convergence_timeout:g} s): set it above {need}"
            )
        return v


_FIXES = {
    "extra_forbidden": "remove it or check its spelling against docs/rollout.md",
    "missing": "add it (see docs/rollout.md)",
    "literal_error": "use one of the allowed values",
}


def playbook_from_doc(doc: YamlDoc) -> Playbook:
    fname = str(doc.path)
    if not isinstance(doc.data, dict):
        raise FabricError(
            "a playbook must be a mapping with at least 'name' and 'change'",
            file=fname,
            fix="see tasks/golden-push.yaml",
        )
    try:
        pb = Playbook.model_validate({**doc.data, "file": fname})
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(
            x
            for x in err["loc"]
            if not (isinstance(x, str) and x.startswith(("function-", "int", "str", "list[")))
        )
        key = ".".join(str(x) for x in loc) or "(top level)"
        msg = (
            "unknown key"
            if err["type"] == "extra_forbidden"
            else str(err["msg"]).removeprefix("Value error, ")
        )
        more = f" (and {len(exc.errors()) - 1} more problem(s))" if len(exc.errors()) > 1 else ""
        fix = _FIXES.get(err["type"], "see docs/rollout.md for this key")
        raise FabricError(msg + more, file=fname, key=key, line=doc.line(loc), fix=fix) from None
    return pb


def load_playbook(path: str | Path) -> Playbook:
    return playbook_from_doc(load_yaml(Path(path)))


def select_targets(pb: Playbook, devices: dict[str, Any]) -> list[str]:
    """Hosts of the fabric the playbook targets (sorted; unknown explicit hosts are an error)."""
    t = pb.targets
    unknown = [h for h in t.hosts + t.exclude if h not in devices]
    if unknown:
        raise FabricError(
            f"unknown host(s) {unknown}",
            file=pb.file,
            key="targets.hosts",
            fix="use device names of the fabric (`fabric show <fabric>`)",
        )
    out = []
    for name, d in sorted(devices.items()):
        if t.roles and d.role not in t.roles:
            continue
        if t.platforms and d.platform not in t.platforms:
            continue
        if t.sites and d.site not in t.sites:
            continue
        if t.tags and not set(t.tags) & set(d.tags):
            continue
        if t.hosts and name not in t.hosts:
            continue
        if name in t.exclude:
            continue
        out.append(name)
    if not out:
        raise FabricError(
            "the targets match no device",
            file=pb.file,
            key="targets",
            fix="loosen the filters (roles, platforms, sites, tags, hosts)",
        )
    return out
