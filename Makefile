.PHONY: run test install lint bench
run:  ## install, load the demo block and serve on http://127.0.0.1:8000 (SQLite, eager Celery)
	bash scripts/run.sh
test: ## every test against a throwaway PostgreSQL + Redis, browser tests in headless Chromium
	bash scripts/test.sh
install:
	bash scripts/install.sh
lint:
	.venv/bin/ruff check .
