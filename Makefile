# Two commands do all set-up on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The AsyncAPI validator (tools/asyncapi: @asyncapi/parser under node), installed from its lock file; after the first
# run, npm takes what it has in its cache (--prefer-offline) and the stamp keeps later runs from touching npm at all.
ASYNCAPI_TOOL := tools/asyncapi
ASYNCAPI_STAMP := $(ASYNCAPI_TOOL)/node_modules/.installed

.PHONY: install browser run test test-noida faults bench schemas clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(ASYNCAPI_STAMP): $(ASYNCAPI_TOOL)/package.json $(ASYNCAPI_TOOL)/package-lock.json
	cd $(ASYNCAPI_TOOL) && npm ci --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error
	touch $(ASYNCAPI_STAMP)

# `make test` needs both; running the system, the benchmarks and the generator need only the venv (no node).
install: $(STAMP) $(ASYNCAPI_STAMP)

run: $(STAMP)
	$(BIN)/ocop up

# Debian's chromium for the console's browser tests (installed with apt-get when missing and run as root).
browser:
	bash tools/browser/ensure-chromium.sh

# Layer rules first (import-linter contracts in pyproject.toml), then every test.
test: install browser
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

test-noida: install
	bash .ci/noida

# The fault suite's long run (README "Faults"): every scenario of tests/faults with more load and two seeds each
# (OCOP_FAULTS_REPEAT), over five minutes; prints the figures (faults injected, commands acknowledged, effects lost
# and duplicated, time to consistency). `make test` runs each scenario once, short.
faults: install
	OCOP_FAULTS_LONG=1 $(BIN)/python -m pytest tests/faults -q

bench: $(STAMP)
	$(BIN)/python -m bench.kernel_path
	$(BIN)/python -m bench.http_path
	$(BIN)/python -m bench.rating
	$(BIN)/python -m bench.finance
	$(BIN)/python -m bench.monitoring
	$(BIN)/python -m bench.feed
	$(BIN)/python -m bench.rebuild
	$(BIN)/python -m bench.growth
	$(BIN)/python -m bench.scale_out
	$(BIN)/python -m bench.console

schemas: $(STAMP)
	$(BIN)/ocop schemas

clean:
	rm -rf $(VENV) .ocop $(ASYNCAPI_TOOL)/node_modules
