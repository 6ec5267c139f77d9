# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/customs_portal
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
# Where the browser tests write their screenshots (CI keeps var/ with its logs).
SCREENSHOT_DIR ?= var/screenshots

.PHONY: run test venv lint messages bench

venv:
	@scripts/ensure_venv.sh
	@PIP=$(VENV)/bin/pip scripts/ensure_font.sh

## make run: the portal with web, Celery worker and beat, on SQLite and a file broker.
run: venv
	@mkdir -p var
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py seed_demo
	@echo ""
	@echo "  Customs portal: http://127.0.0.1:$(PORT)/   (Ctrl-C stops web, worker and beat)"
	@echo ""
	@PORT=$(PORT) $(VENV)/bin/honcho start -f Procfile

## make test: the whole suite against PostgreSQL and Redis (started when down). Two runs
## can go at once: each has its own test database, Redis keys and Celery queues
## (customs_portal/settings/test.py), and the live server takes a free port.
test: venv
	@scripts/ensure_services.sh
	@scripts/ensure_browser.sh
	@DATABASE_URL=$(TEST_DATABASE_URL) CELERY_BROKER_URL=$(TEST_BROKER_URL) SCREENSHOT_DIR=$(SCREENSHOT_DIR) \
		$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	@$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check . && $(VENV)/bin/lint-imports

## Recompiles locale/*/LC_MESSAGES/django.mo after editing the .po files.
messages: venv
	@$(PY) manage.py makemessages -l ja -l zh_Hans -l ko --ignore '.venv/*' --ignore 'var/*' --ignore 'staticfiles/*'
	@$(PY) manage.py compilemessages --ignore '.venv/*'
