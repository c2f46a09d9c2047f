# Sabt: the commands a newcomer needs.  `make demo` and `make test` are enough.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: demo test lint deps lock clean system-demo system-test

# The Debian packages each command needs, installed when missing if run as root (else the
# command to run is named): scripts/system-packages says which and why.
system-demo:
	@sh scripts/system-packages demo

system-test:
	@sh scripts/system-packages test

$(BIN)/.runtime: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.lock
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(BIN)/.dev: requirements-dev.lock $(BIN)/.runtime
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.lock
	touch $@

# An independent OpenID Connect client for HODA's tests (panva/openid-client, from npm).
RP_CLIENT := tests/identity/oidc_client
$(RP_CLIENT)/node_modules/.installed: $(RP_CLIENT)/package-lock.json
	npm ci --prefix $(RP_CLIENT) --no-audit --no-fund --loglevel=error
	touch $@

# openapi-python-client, the standard generator an agency's developer starts from, for the
# test that generates a client from the app's OpenAPI; a venv of its own (it pins an older
# Typer than Sabt's).
OAPC := tests/api/openapi_client
$(OAPC)/venv/.installed: $(OAPC)/requirements.lock
	test -x $(OAPC)/venv/bin/python || $(PYTHON) -m venv $(OAPC)/venv
	$(OAPC)/venv/bin/pip install -q --disable-pip-version-check -r $(OAPC)/requirements.lock
	touch $@

## demo: build (once) a synthetic register on SQLite and serve the API on http://127.0.0.1:$(PORT)
demo: system-demo $(BIN)/.runtime
	$(BIN)/sabt demo --port $(PORT)

## test: the whole suite (SQLite always; PostgreSQL too when SABT_TEST_DATABASE_URL is set)
test: system-test $(BIN)/.dev $(RP_CLIENT)/node_modules/.installed $(OAPC)/venv/.installed
	$(BIN)/python -m pytest -q

## lint: ruff and mypy
lint: $(BIN)/.dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

## deps: every Debian package the platform and its tests use, PostgreSQL included (run as root)
deps: system-test
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-contrib

## lock: re-resolve the pinned versions (needs network; commit the result)
lock:
	$(BIN)/pip install -q uv
	$(BIN)/uv pip compile pyproject.toml -q --python-version 3.11 -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml -q --python-version 3.11 --extra dev -o requirements-dev.lock

clean:
	rm -rf $(VENV) .sabt sabt.db $(RP_CLIENT)/node_modules $(OAPC)/venv
