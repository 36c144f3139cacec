PY ?= python3

.PHONY: install demo fmt lint types test test-debug bench

install:
	bash scripts/system-packages.sh
	$(PY) -m pip install -c constraints.txt -e '.[dev]'
	# python-telegram-bot, the independent reader of Telegram updates in the tests, asks for
	# httpx<0.29 although it runs on the httpx pinned here; it needs nothing else.
	$(PY) -m pip install --no-deps python-telegram-bot==22.8

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
	$(PY) bench/webhooks.py
