# Perfgraph: `make serve` and `make test` are all a fresh machine needs (Python 3.11+).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: serve test lint install token seed reset bench clean schema proxy-check web web-if-stale

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml tests/clients/package-lock.json web/package-lock.json | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m server.graphiql  # GraphiQL's seven assets from the npm registry (served locally, no CDN)
	npm ci --prefix tests/clients --no-audit --no-fund --loglevel=error  # Apollo Client (tests/core/test_real_clients.py), axe-core (tests/web)
	if command -v npm >/dev/null 2>&1; then npm ci --prefix web --no-audit --no-fund --loglevel=error; fi  # Vite, for tests/web/test_build.py
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP) web-if-stale  ## start the embedded database (data in .perfgraph/), seed the demo organisation once, serve on HOST:PORT
	$(BIN)/python -m server serve --seed-demo

# The web app at /app: web/ (Vite) builds into server/static/app, which is committed, so a machine without Node.js
# serves the committed build. Its index.html is the stamp: `make serve` rebuilds when Node.js is on PATH and a file
# of web/ (node_modules aside) is newer than it.
APP_INDEX := server/static/app/index.html

web:  ## build the web app (web/, Vite) into server/static/app
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	npm run --prefix web build

web-if-stale:
	@if [ -d web ] && command -v node >/dev/null 2>&1 && { [ ! -f $(APP_INDEX) ] || \
	    [ -n "$$(find web -path web/node_modules -prune -o -type f -newer $(APP_INDEX) -print -quit)" ]; }; then \
	  echo "web/ changed since the last build: make web"; $(MAKE) --no-print-directory web; \
	fi

lint: $(STAMP)  ## ruff, then the import contracts of pyproject.toml (layers, domains, no circles)
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

test: lint  ## ruff, then the whole suite
	$(BIN)/python -m pytest -q -n auto

schema: $(STAMP)  ## write the built schema's SDL to schema.graphql (the committed API contract)
	$(BIN)/python -c "from schema.schema import build_schema; print(build_schema().as_str())" > schema.graphql

proxy-check: $(STAMP)  ## two server processes behind nginx, sharing Redis and one database: an event crosses them
	$(BIN)/python -m pytest -q -p no:xdist tests/core/test_proxy.py

token: $(STAMP)  ## make token PERSONA=manager   or   make token EMPLOYEE=<id>
	@$(BIN)/python -m server token $(if $(EMPLOYEE),--employee $(EMPLOYEE),--persona $(or $(PERSONA),employee))

reset: $(STAMP)  ## wipe the embedded database (.perfgraph/) and seed the demo organisation again
	$(BIN)/python -m server reset

seed: $(STAMP)  ## load the demo organisation into the MongoDB at MONGODB_URL
	$(BIN)/python -m server seed

bench: $(STAMP)  ## every benchmark, then the table of figures against targets (bench/results.json); QUICK=1: a few minutes
	rm -f bench/results.json
	$(BIN)/python -m bench.framework_floor $(if $(QUICK),--quick)
	$(BIN)/python -m bench.small_query $(if $(QUICK),--quick)
	$(BIN)/python -m bench.round_trips $(if $(QUICK),--quick)
	$(BIN)/python -m bench.fanout $(if $(QUICK),--quick)
	$(BIN)/python -m bench.fanout_streams $(if $(QUICK),--quick)
	$(BIN)/python -m bench.fanout_redis $(if $(QUICK),--quick)
	$(BIN)/python -m bench.org_chart_latency $(if $(QUICK),20 10,100 20)
	$(BIN)/python -m bench.cycle_launch $(if $(QUICK),200,200 5000)
	$(BIN)/python -m bench.hostile $(if $(QUICK),--quick)
	$(BIN)/python -m bench.merit_cycle $(if $(QUICK),200)
	$(BIN)/python -m bench.bulk_import $(if $(QUICK),500,5000)
	$(BIN)/python -m bench.position_candidates $(if $(QUICK),200,200 5000)
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) bench/results.json
