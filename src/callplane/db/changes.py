"""Changes to the database, as the answers kept between them (gateway/store.py `Kept`) see them.

On PostgreSQL a statement-level trigger on the tables whose rows are kept (tenants, API keys,
numbers, their provider registrations: migration 0010; the agents, trunks, subscriptions and
connections a number's route is read with: migration 0012) notifies `CHANNEL` when a transaction
that changed them commits; each process listens (gateway/pg_changes.py). A notification reaches
the listener shortly after the commit; this process's own commits (`committed`, called by the
unit of work) count at once, so a change made through this process is seen by its very next
request.
"""

from __future__ import annotations

CHANNEL = "callplane_changed"
# The tables whose rows are kept between changes (the triggers'; migrations 0010 and 0012).
WATCHED = (
    "tenants",
    "api_keys",
    "phone_numbers",
    "provider_registrations",
    "agents",
    "trunks",
    "subscriptions",
    "connections",
)

_commits = 0


def committed() -> None:
    """Count a commit (or an attempt whose outcome is unknown) made by this process."""
    global _commits
    _commits += 1


def commits() -> int:
    """How many commits this process has counted."""
    return _commits
