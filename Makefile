# Karte der Nachhaltigkeit — the two commands are `make run` and `make test`.
VENV := .venv/bin
KARTE := $(VENV)/karte

.PHONY: setup run test lint format bench clean

setup:
	@bash scripts/setup.sh

run: setup
	$(KARTE) db upgrade
	$(KARTE) demo load
	$(KARTE) serve

test:
	@bash scripts/setup.sh --browser
	$(VENV)/python -m pytest

lint: setup
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .

format: setup
	$(VENV)/ruff format .
	$(VENV)/ruff check --fix .

bench: setup
	$(VENV)/python -m bench

clean:
	-$(KARTE) db stop
	rm -rf var
