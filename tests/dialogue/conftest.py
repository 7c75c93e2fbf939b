"""The dialogue tests drive the real actions (tests/dialogue/form_loop.py) with the action
tests' fixtures: a temporary SQLite lead store, a fake Slack, a fixed clock, domain.yml."""

from tests.actions.conftest import domain, env, fake_slack  # noqa: F401 - fixtures
