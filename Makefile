# Carrier Advisor. `make run` and `make test` bootstrap everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.lock | cut -c1-12)
WIDGET := bot/web/static/widget.js

.PHONY: help venv widget train run test test-fast validate bench eval simulate soak clean

help:
	@echo "make run    - set up if needed, then start the assistant (Rasa, actions, web app)"
	@echo "make test   - set up if needed, then run every test"
	@echo "make train  - train the model if data or config changed"
	@echo "make bench  - benchmark against a stock rasa init assistant"
	@echo "make simulate - simulated customers (tests/simulator/personas.yml) over REST, scored"
	@echo "make soak   - SOAK_MINUTES (30) of mixed traffic, Rasa server SIGKILLed every 5 min; nothing lost, memory flat"

$(STAMP): requirements.lock scripts/bootstrap.sh
	@scripts/bootstrap.sh
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP)

widget: venv
	@if [ -x scripts/build-widget.sh ]; then scripts/build-widget.sh; fi

train: venv
	@$(PY) scripts/train.py

run: venv widget train
	@$(PY) -m bot run

validate: venv
	$(RASA) data validate --fail-on-warnings

test: venv widget train
	@scripts/test.sh

bench: venv widget train
	@$(PY) -m scripts.bench

simulate: venv widget train
	@$(PY) -m scripts.simulate

soak: venv widget train
	@$(PY) -m scripts.soak

eval: venv
	@$(PY) -m scripts.eval

clean:
	rm -rf models/*.tar.gz results test-output var/run
