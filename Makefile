# netfabric: every target bootstraps what it needs, idempotently.
# A second run does no network work: apt only installs what is missing, pip only when pyproject.toml changed.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.netfabric-installed
BENCH_STAMP := $(VENV)/.netfabric-bench-installed
APT_PACKAGES := frr frr-pythontools lldpd openssh-server openssh-client openssh-sftp-server openssl iproute2 iputils-ping procps git iptables chromium python3 coreutils util-linux kmod
PYTEST_ARGS ?=

.PHONY: demo test bench lint golden clean system venv constraints pictures

system:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" != 0 ]; then echo "need root to apt-get install$$missing" >&2; exit 1; fi; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  # Debian starts the packaged daemons; the lab runs its own per namespace. \
	  for s in frr lldpd ssh; do systemctl disable --now $$s >/dev/null 2>&1 || true; done; \
	fi

# constraints.txt pins every dependency to the versions the tests pass with (refresh: make constraints).
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e '.[test]'
	@touch $(STAMP)

venv: $(STAMP)

# The optional bench extra (pyavd, for bench/bench_pyavd.py), on top of the venv: only `make bench` needs it.
$(BENCH_STAMP): $(STAMP) pyproject.toml constraints.txt
	$(PY) -m pip install -q -c constraints.txt -e '.[bench]'
	@touch $(BENCH_STAMP)

# Refresh constraints.txt: resolve pyproject.toml's dependencies and test extra afresh (the newest
# versions their bounds allow) in a throwaway venv and pin what got installed. Then `make venv test`
# (the venv reinstalls because constraints.txt changed) and commit constraints.txt if the tests pass.
constraints:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	python3 -m venv "$$tmp/venv"; \
	"$$tmp/venv/bin/python" -m pip install -q --upgrade pip; \
	"$$tmp/venv/bin/python" -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	  print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' > "$$tmp/requirements.txt"; \
	"$$tmp/venv/bin/python" -m pip install -q -r "$$tmp/requirements.txt"; \
	{ sed -n '/^#/p' constraints.txt; "$$tmp/venv/bin/python" -m pip freeze | grep -v -E '^(pip|setuptools|wheel)=='; } \
	  > "$$tmp/constraints.txt"; \
	mv "$$tmp/constraints.txt" constraints.txt; \
	echo "constraints.txt refreshed: $$(grep -c '==' constraints.txt) pins"

demo: system venv
	@$(PY) -m fabric.demo

test: system venv
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# Each benchmark prints its figures next to the issue's target (one 64-node lab per NOS; minutes each on 2 cores).
BENCHES := bench_render.py bench_pyavd.py bench_lab.py "bench_twin.py" "bench_twin.py --lab containerlab/dc-large.clab.yml" \
	bench_validate.py "bench_rollout.py --large" bench_junos.py "bench_junos.py --lab containerlab/dc-large-junos.clab.yml" \
	bench_srl.py "bench_srl.py --lab containerlab/dc-large-srlinux.clab.yml" \
	bench_xr.py "bench_xr.py --lab containerlab/dc-large-iosxr.clab.yml" \
	bench_sros.py "bench_sros.py --lab containerlab/dc-large-sros.clab.yml" bench_mixed.py bench_anta.py

bench: system venv $(BENCH_STAMP)
	@for b in $(BENCHES); do echo "== bench/$$b"; $(PY) bench/$$b || exit 1; done

# The README's pictures (docs/img), from real runs on a private lab.
pictures: system venv
	$(PY) docs/pictures.py

lint: venv
	$(VENV)/bin/ruff check fabric tests bench
	$(VENV)/bin/mypy fabric
	$(PY) -m pytest -q -p no:cacheprovider tests/test_imports.py tests/vendors/test_contract.py -k "cycle or literal"

golden: venv
	UPDATE_GOLDEN=1 $(PY) -m pytest -q tests/render

clean:
	-$(VENV)/bin/fabric lab destroy --all
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
