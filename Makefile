# The two commands of the README.
.PHONY: demo test lint

# Run the main job on the embedded default (SQLite + the shipped demo Maildir).
demo:
	scripts/demo

# Install what the tests need (Debian packages included) and run the whole suite.
test:
	scripts/test-setup
	.venv/bin/python -m pytest

lint:
	.venv/bin/python -m ruff check .
