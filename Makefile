# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
comma  := ,

.PHONY: install system-deps test check snapshots fuzz fuzz-compile fuzz-objects demo bench bench-infer realpkgs bench-scale lint typecheck clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev,dask]'
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium renders the HTML report in the tests; installed from Debian's packages when missing.
system-deps:
	@{ command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "note: chromium not found; the browser test of the HTML report will be skipped"; fi; }

# The whole suite, spread over the machine's cores (pytest-xdist; WORKERS=0 runs it in this process).
WORKERS ?= auto
test: $(STAMP) system-deps
	$(PY) -m pytest -q -n $(WORKERS)

# The inner loop: everything but the tests marked slow (sweeps, real-package runs, builds of whole
# packages, mypy and the hook environment: see tests/conftest.py), in parallel.
check: $(STAMP)
	$(PY) -m pytest -q -n $(WORKERS) -m "not slow"

# Rewrites every golden file (migrate outputs, superset marks and printer output, rule findings, IR dumps)
# from what the code gives now: they are inline-snapshot external files; review `git diff` before committing.
SNAPSHOT_TESTS = $(shell grep -rl --include='*.py' 'external_file(' tests)
snapshots: $(STAMP)
	$(PY) -m pytest -q -p no:xdist --inline-snapshot=create,fix $(SNAPSHOT_TESTS) || true
	$(PY) -m pytest -q -n $(WORKERS) $(SNAPSHOT_TESTS)

lint: $(STAMP)
	$(PY) -m ruff check .

# The fuzz target of tests/fuzz with many random examples (`make test` runs a bounded, fixed set).
fuzz: $(STAMP)
	PYMIGRATE_FUZZ_EXAMPLES=$${PYMIGRATE_FUZZ_EXAMPLES:-5000} $(PY) -m pytest -q tests/fuzz

# The random typed programs of tests/e2e/e2e_gen.py, compiled and run against CPython, many random
# examples (`make test` runs a bounded, derandomized set). Each disagreement becomes a regression test.
fuzz-compile: $(STAMP)
	PYMIGRATE_E2E_EXAMPLES=$${PYMIGRATE_E2E_EXAMPLES:-1000} PYMIGRATE_E2E_RANDOM=1 PYMIGRATE_E2E_STATS=1 \
	  $(PY) -m pytest -q -s tests/e2e/test_e2e_generated.py -k agree

# Random object-tier programs (tests/codegen/test_tir_random.py) against their Python reading, a long hunt.
fuzz-objects: $(STAMP)
	PYMIGRATE_TIR_PROGRAMS=$${PYMIGRATE_TIR_PROGRAMS:-2000} PYMIGRATE_TIR_SEED=$${PYMIGRATE_TIR_SEED:-$$(date +%s)} \
	  $(PY) -m pytest -q -x tests/codegen/test_tir_random.py

typecheck: $(STAMP)
	$(PY) -m mypy pymigrate

demo: $(STAMP)
	$(PY) -m pymigrate.demo

bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) -m benchmarks

# Type inference on eleven pinned packages against types people wrote (docs/inference.md); downloads the
# sources and stubs into ~/.cache/pymigrate-infer-bench. PACKAGES="six cachetools" runs some of them.
bench-infer: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	$(PY) benchmarks/infer/suite.py $(foreach p,$(PACKAGES),--package $(p))

# Real PyPI packages through the whole pipeline, next to Cython and mypyc (docs/performance.md).
realpkgs: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	MYPYPATH=tests/e2e $(PY) -m mypy --strict benchmarks/realpkgs
	$(PY) -m benchmarks.realpkgs

# Repository scale (docs/performance.md): analyze, migrate, --trace and build on pinned PyPI packages of
# ~1.8k, ~7k and ~38k lines and analyze on the standard library, with peak memory; CASES="small stdlib" runs some,
# STAGES="incremental" some stages (analyze migrate trace build incremental).
bench-scale: $(STAMP)
	$(PY) -m benchmarks.scale $(if $(CASES),--cases $(subst $(eval) ,$(comma),$(CASES))) $(if $(STAGES),--stages $(subst $(eval) ,$(comma),$(STAGES)))

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build dist demo-out
