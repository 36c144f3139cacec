PY ?= python3

.PHONY: install demo fmt lint types test bench

install:
	$(PY) -m pip install -e '.[dev]'

demo:
	$(PY) -m roomkit.demo

fmt:
	$(PY) -m ruff format src tests bench
	$(PY) -m ruff check --fix src tests bench

lint:
	$(PY) -m ruff check src tests bench
	$(PY) -m ruff format --check src tests bench

types:
	$(PY) -m mypy

test:
	$(PY) -m pytest -q

bench:
	$(PY) bench/core.py
