PY ?= python3

.PHONY: install demo fmt lint types test test-debug bench

install:
	bash scripts/system-packages.sh
	$(PY) -m pip install -c constraints.txt -e '.[dev]'

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

test-debug:
	PYTHONASYNCIODEBUG=1 $(PY) -X dev -m pytest -q -p no:cacheprovider

bench:
	$(PY) bench/core.py
	$(PY) bench/stores.py
	$(PY) bench/ai.py
	$(PY) bench/service.py
