# The two set-up commands of the README: `make run` and `make test`. Each creates the
# virtualenv and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test test-postgres seed clean chromium bench

# `run` needs only the runtime packages; `test` adds the test tools.
$(BIN)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(BIN)/.installed: $(BIN)/.runtime requirements-dev.txt
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.runtime
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) 'service:create_app()'

TEST_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

# The whole suite on SQLite, then again on PostgreSQL (required when CI is set).
test: $(BIN)/.installed chromium
	$(BIN)/ruff check service tests bench seed migrations
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@$(MAKE) --no-print-directory test-postgres

test-postgres: $(BIN)/.installed
	@if $(BIN)/python -c "import psycopg; psycopg.connect('$(TEST_POSTGRES_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== the suite again on PostgreSQL ($(TEST_POSTGRES_URL))"; \
	  TEST_DATABASE_URL='$(TEST_POSTGRES_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS); \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL is required in CI at $(TEST_POSTGRES_URL)"; exit 1; \
	else \
	  echo "PostgreSQL not reachable at $(TEST_POSTGRES_URL): skipped the PostgreSQL run"; \
	fi

# The browser tests drive Debian's Chromium; install it when missing and we can (root with apt).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is not installed: browser tests will be skipped (install Debian's chromium package)"; \
	  fi; }

# The measurements quoted in the README, each with the virtualenv's Python (the scripts import the
# service and start their own gunicorn on a scratch SQLite database; openFDA is off).
# BENCH_ROWS sizes the generated batch file (more than BATCH_SYNC_MAX_ROWS, so it runs as a job).
BENCH_ROWS ?= 100000

bench: export LOG_LEVEL = WARNING
bench: $(BIN)/.runtime
	@echo "== name resolution accuracy (tests/resolution_cases.csv)"
	@$(BIN)/python bench/resolution_accuracy.py
	@echo "== RxNorm names and shopping-list forms (tests/rxnorm_cases.csv)"
	@$(BIN)/python bench/rxnorm_accuracy.py
	@echo "== start-up, memory and check latency"
	@$(BIN)/python bench/core_figures.py
	@echo "== the costliest checks the limits allow, and the heaviest immediate batch"
	@$(BIN)/python bench/check_cost.py
	@echo "== worker memory for the largest upload the limits allow (BATCH_MAX_BYTES)"
	@$(BIN)/python bench/batch_memory.py
	@echo "== idle and slow clients against gunicorn (/healthz), and over-limit and hostile bodies"
	@$(BIN)/python bench/hostile.py
	@echo "== batch job of $(BENCH_ROWS) rows through the HTTP API"
	@$(BIN)/python bench/batch_generate.py $(BENCH_ROWS) bench/out/wide-$(BENCH_ROWS).csv
	@$(BIN)/python bench/batch_bench.py bench/out/wide-$(BENCH_ROWS).csv
	@echo "== /api/v1/check throughput beside a bare Flask echo (wrk, BENCH_SECONDS each)"
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }; }; } || true
	@if command -v wrk >/dev/null 2>&1; then $(BIN)/python bench/throughput.py; \
	 else echo "wrk is not installed (Debian package 'wrk'): throughput skipped"; fi

seed: $(BIN)/.runtime
	$(BIN)/flask --app service seed

clean:
	rm -rf $(VENV) instance .pytest_cache
