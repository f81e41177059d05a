# The two set-up commands of the README: `make run` and `make test`. Each creates the
# virtualenv and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test seed clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) 'service:create_app()'

test: $(BIN)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

seed: $(BIN)/.installed
	$(BIN)/flask --app service seed

clean:
	rm -rf $(VENV) instance .pytest_cache
