"""Config compliance: running vs golden, per feature, and the remediation that closes the gap.

Features are rules in ``templates/compliance/<platform>.yaml``. CLI platforms (eos, iosxr, frr) use
netutils' parsers and :func:`netutils.config.compliance.feature_compliance`; set-style platforms
(junos, srlinux, sros) are flattened to hierarchy paths and compared as sets of paths, because
netutils' section matching only knows indentation-based CLI blocks. A set-style vendor with a
schema-aware model (``Vendor.remediation``, a :class:`SetModel`) flattens and remediates through it:
a path set cannot tell a changed value (``set`` replaces) from an added statement.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Protocol, cast

import yaml
from netutils.config.compliance import feature_compliance, parser_map

from fabric.errors import FabricError
from fabric.resources import templates_dir
from fabric.vendors import get as get_vendor

RULES_DIR = templates_dir() / "compliance"

# Feature result statuses.
COMPLIANT = "compliant"
NONCOMPLIANT = "noncompliant"
UNREACHABLE = "unreachable"
ERROR = "error"


@dataclass(frozen=True)
class Feature:
    name: str
    section: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Rules:
    platform: str
    style: str  # "cli" | "set"
    features: tuple[Feature, ...]
    ignore: tuple[re.Pattern[str], ...]
    parser: str = "cisco_ios"
    hier_config: str = "GENERIC"
    idempotent: tuple[tuple[str, ...], ...] = ()
    set_prefix: str = "set "
    delete_prefix: str = "delete "
    strip_prefix: str = ""
    # Top-level lines that close the previous block (IOS-XR end-set/end-policy): same feature.
    continuation: tuple[re.Pattern[str], ...] = ()
    # Block headers the device does not print when the block is empty (FRR's bare "bfd").
    drop_if_empty: tuple[re.Pattern[str], ...] = ()

    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]


class SetModel(Protocol):
    """A vendor's configuration model for compliance (``Vendor.remediation``)."""

    def statements(self, config: str) -> list[tuple[str, str]]:
        """(path, entry) per statement: the path picks the feature, the entry is compared/reported."""
        ...

    def remediate(self, running: str, intended: str, keep: Callable[[str], bool] | None = None) -> str:
        """The lines that turn running into intended, for statement paths ``keep`` accepts."""
        ...


@cache
def set_model(platform: str) -> SetModel | None:
    return cast("SetModel | None", get_vendor(platform).load("remediation"))


@dataclass
class FeatureResult:
    device: str
    feature: str
    status: str
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)
    detail: str = ""

    @property
    def compliant(self) -> bool:
        return self.status == COMPLIANT

    def as_dict(self) -> dict[str, Any]:
        return {
            "device": self.device,
            "feature": self.feature,
            "status": self.status,
            "compliant": self.compliant,
            "missing": self.missing,
            "extra": self.extra,
            "detail": self.detail,
        }


@cache
def load_rules(platform: str, rules_dir: str | None = None) -> Rules:
    path = Path(rules_dir or RULES_DIR) / f"{platform}.yaml"
    if not path.exists():
        raise FabricError(
            f"no compliance rules for platform '{platform}'", file=str(path), fix="add the rules file"
        )
    data = yaml.safe_load(path.read_text()) or {}
    try:
        features = tuple(
            Feature(str(f["name"]), tuple(str(s) for s in f["section"]), bool(f.get("ordered", False)))
            for f in data["features"]
        )
        return Rules(
            platform=platform,
            style=data.get("style", "cli"),
            features=features,
            ignore=tuple(re.compile(p) for p in data.get("ignore", [])),
            parser=data.get("parser", "cisco_ios"),
            hier_config=data.get("hier_config", "GENERIC"),
            idempotent=tuple(tuple(r) for r in data.get("idempotent", [])),
            set_prefix=data.get("set_prefix", "set "),
            delete_prefix=data.get("delete_prefix", "delete "),
            strip_prefix=data.get("strip_prefix", ""),
            continuation=tuple(re.compile(p) for p in data.get("continuation", [])),
            drop_if_empty=tuple(re.compile(p) for p in data.get("drop_if_empty", [])),
        )
    except (KeyError, TypeError, re.error) as exc:
        raise FabricError(
            f"bad compliance rules: {exc}", file=str(path), fix="see docs/compliance.md"
        ) from None


def _ignored(line: str, rules: Rules) -> bool:
    s = line.strip()
    return any(p.search(s) for p in rules.ignore)


def clean(config: str, rules: Rules) -> str:
    """Drop volatile/device-generated lines and trailing blanks (both sides get the same treatment)."""
    out = [ln.rstrip() for ln in config.splitlines() if ln.strip() and not _ignored(ln, rules)]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- CLI platforms


def _feature_for(line: str, features: tuple[Feature, ...]) -> str | None:
    """The feature owning a top-level line: longest matching prefix, so sections never overlap."""
    best: tuple[int, str] | None = None
    for f in features:
        for prefix in f.section:
            if line.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), f.name)
    return best[1] if best else None


def cli_sections(config: str, rules: Rules) -> dict[str, str]:
    """Split a CLI config into feature sections (top-level block + its children, as netutils parses it).

    Unlike netutils' ``section_config`` (first prefix match, features may overlap) each block goes to
    exactly one feature, which keeps per-feature results and remediation disjoint.
    """
    parsed = [c for c in parser_map[rules.parser](clean(config, rules)).config_lines if c.config_line]
    blocks: dict[str, list[str]] = {f.name: [] for f in rules.features}
    current: str | None = None
    for i, cl in enumerate(parsed):
        top = not cl.parents
        if top and not any(p.search(cl.config_line) for p in rules.continuation):
            current = _feature_for(cl.config_line, rules.features)
            empty = i + 1 >= len(parsed) or not parsed[i + 1].parents
            if empty and any(p.search(cl.config_line) for p in rules.drop_if_empty):
                continue
        if current is not None:
            blocks[current].append(cl.config_line)
    return {k: "\n".join(v) for k, v in blocks.items()}


# ---------------------------------------------------------------- set-style platforms


def flatten(config: str, rules: Rules) -> list[str]:
    """Set-style paths (without the set keyword) from `set` lines or a curly-brace config."""
    paths: list[str] = []
    stack: list[str] = []
    for raw in clean(config, rules).splitlines():
        line = raw.strip()
        if line.startswith(("/*", "#")):
            continue
        if line.startswith(rules.set_prefix.strip() + " ") or line == rules.set_prefix.strip():
            paths.append(line[len(rules.set_prefix) :].strip())
        elif rules.strip_prefix and line.startswith(rules.strip_prefix):
            paths.append(line[len(rules.strip_prefix) :].strip())
        elif line.endswith("{"):
            stack.append(line[:-1].strip())
        elif line == "}":
            if stack:
                stack.pop()
        else:
            paths.append(" ".join([*stack, line.rstrip(";").strip()]))
    # Brace configs of `info` re-open the same container: keep the first occurrence of each path.
    return list(dict.fromkeys(p for p in paths if p))


def _in_section(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + " ")


def feature_of(path: str, rules: Rules) -> str | None:
    """The feature owning a set-style path: longest matching section prefix."""
    best: tuple[int, str] | None = None
    for f in rules.features:
        for prefix in f.section:
            if _in_section(path, prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), f.name)
    return best[1] if best else None


def _secret(path: str) -> bool:
    """A statement whose secret collection scrubbed: golden holds no secrets by design, so it is
    neither drift nor removed by a remediation (that would delete a user's password)."""
    from fabric.compliance.collect import PLACEHOLDER

    return PLACEHOLDER in path


def set_sections(config: str, rules: Rules) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {f.name: [] for f in rules.features}
    model = set_model(rules.platform)
    if model is not None:
        pairs = model.statements(clean(config, rules))
    else:
        pairs = [(p, p) for p in flatten(config, rules)]
    for path, entry in pairs:
        if not _secret(path) and (name := feature_of(path, rules)) is not None:
            out[name].append(entry)
    # A statement printed twice (brace configs re-opening a container) is one statement.
    return {k: list(dict.fromkeys(v)) for k, v in out.items()}


# ---------------------------------------------------------------- comparison


def _lines(text: str | bool) -> list[str]:
    return [ln for ln in str(text or "").splitlines() if ln.strip()]


def compare(
    device: str, platform: str, running: str, golden: str, features: list[str] | None = None
) -> list[FeatureResult]:
    """Per-feature compliance of one device: missing lines (in golden, not running) and extra lines."""
    rules = load_rules(platform)
    wanted = [f for f in rules.features if not features or f.name in features]
    results: list[FeatureResult] = []
    if rules.style == "set":
        run_s, gold_s = set_sections(running, rules), set_sections(golden, rules)
        for f in wanted:
            have, want = run_s[f.name], gold_s[f.name]
            have_set, want_set = set(have), set(want)
            missing = [p for p in want if p not in have_set]
            extra = [p for p in have if p not in want_set]
            status = COMPLIANT if not missing and not extra else NONCOMPLIANT
            detail = ""
            if status == COMPLIANT and set_model(platform) is not None and remediate_config(
                platform, running, golden, [f.name]
            ):
                # Same statements, but where order means something (policy terms, export chains).
                status, detail = NONCOMPLIANT, "same statements, different order"
            results.append(FeatureResult(device, f.name, status, missing, extra, detail))
        return results
    run_c, gold_c = cli_sections(running, rules), cli_sections(golden, rules)
    for f in wanted:
        r = feature_compliance(
            {"name": f.name, "ordered": f.ordered, "section": list(f.section)},
            run_c[f.name],
            gold_c[f.name],
            rules.parser,
        )
        status = COMPLIANT if r["compliant"] else NONCOMPLIANT
        detail = "" if r["compliant"] or r["missing"] or r["extra"] else "same lines, different order"
        results.append(
            FeatureResult(device, f.name, status, _lines(r["missing"]), _lines(r["extra"]), detail)
        )
    return results


# ---------------------------------------------------------------- remediation


def _hier_driver(rules: Rules) -> Any:
    from hier_config import Platform, get_hconfig_driver
    from hier_config.models import IdempotentCommandsRule, MatchRule

    driver = get_hconfig_driver(Platform[rules.hier_config])
    for rule in rules.idempotent:
        matches = tuple(
            MatchRule(re_search=r[3:]) if r.startswith("re:") else MatchRule(startswith=r) for r in rule
        )
        driver.rules.idempotent_commands.append(IdempotentCommandsRule(match_rules=matches))
    return driver


def _frr_text(lines: list[tuple[int, str]]) -> str:
    """Indent one space per level and close each block with exit (exit-address-family), as vtysh
    expects (FRR: Vendor.block_exit)."""
    out: list[str] = []
    open_blocks: list[str] = []
    for i, (depth, text) in enumerate(lines):
        while len(open_blocks) > depth:
            blk = open_blocks.pop()
            out.append(" " * len(open_blocks) + ("exit-address-family" if blk == "af" else "exit"))
        out.append(" " * depth + text)
        nxt = lines[i + 1][0] if i + 1 < len(lines) else 0
        if nxt > depth:
            open_blocks.append("af" if text.startswith("address-family") else "blk")
    while open_blocks:
        blk = open_blocks.pop()
        out.append(" " * len(open_blocks) + ("exit-address-family" if blk == "af" else "exit"))
    return "\n".join(out)


def remediate_config(platform: str, running: str, golden: str, features: list[str] | None = None) -> str:
    """Minimal config that turns running into golden, limited to the managed (feature) sections.

    Sections no rule covers are left alone, so device defaults that the golden config does not
    mention are never negated.
    """
    rules = load_rules(platform)
    wanted = [f.name for f in rules.features if not features or f.name in features]
    model = set_model(platform) if rules.style == "set" else None
    if model is not None:
        chosen = set(wanted)
        return model.remediate(
            clean(running, rules),
            clean(golden, rules),
            lambda path: not _secret(path) and feature_of(path, rules) in chosen,
        )
    if rules.style == "set":
        run_s, gold_s = set_sections(running, rules), set_sections(golden, rules)
        deletes, sets = [], []
        for name in wanted:
            have, want = set(run_s[name]), set(gold_s[name])
            deletes += [f"{rules.delete_prefix}{p}" for p in run_s[name] if p not in want]
            sets += [f"{rules.set_prefix}{p}" for p in gold_s[name] if p not in have]
        # Deletes first: a changed leaf value is a delete of the old path, then a set of the new one.
        return "\n".join(deletes + sets) + ("\n" if deletes or sets else "")
    from hier_config import WorkflowRemediation, get_hconfig

    run_c, gold_c = cli_sections(running, rules), cli_sections(golden, rules)
    driver = _hier_driver(rules)
    run_h = get_hconfig(driver, "\n".join(run_c[n] for n in wanted if run_c[n]))
    gold_h = get_hconfig(driver, "\n".join(gold_c[n] for n in wanted if gold_c[n]))
    rem = WorkflowRemediation(run_h, gold_h).remediation_config
    vendor = get_vendor(platform)
    if vendor.block_exit:  # vtysh-style: each block closed with `exit` (exit-address-family)
        lines = [(c.depth() - 1, c.text) for c in rem.all_children_sorted()]
        return _frr_text(lines) + "\n" if lines else ""
    # sectional_exiting adds the closing lines a platform needs (IOS-XR end-set / end-policy).
    dumped = rem.dump_simple(sectional_exiting=True)
    if not dumped:
        return ""
    indent = vendor.config_indent
    out = []
    prev = 0
    for ln in dumped:
        if ln.strip() in ("exit", "root"):
            continue  # generic mode exits: noise when pasted, wrong inside an IOS-XR route-policy
        depth = (len(ln) - len(ln.lstrip(" "))) // 2  # hier-config dumps two spaces per level
        if vendor.mode_reset and depth == 0 and prev > 0 and not ln.strip().startswith("end-"):
            # back to global configuration before the next block: a parser-mode CLI takes indentation
            # for nothing, and a top-level word may also be a sub-mode (XR's `lldp` under an interface)
            out.append(vendor.mode_reset)
        out.append(" " * (indent * depth) + ln.strip())
        prev = depth
    return "\n".join(out) + "\n"
