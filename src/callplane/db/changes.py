"""Changes to the database, as the answers kept between them (gateway/store.py `Kept`) see them.

On PostgreSQL a statement-level trigger on the tables whose rows are kept (tenants, API keys,
numbers, their provider registrations: migration 0010) notifies `CHANNEL` when a transaction
that changed them commits; each process listens (gateway/pg_changes.py). A notification reaches
the listener shortly after the commit; this process's own commits (`committed`, called by the
unit of work) count at once, so a change made through this process is seen by its very next
request.
"""

from __future__ import annotations

CHANNEL = "callplane_changed"
# The tables whose rows the API keeps between changes (the trigger's; see migration 0010).
WATCHED = ("tenants", "api_keys", "phone_numbers", "provider_registrations")

_commits = 0


def committed() -> None:
    """Count a commit (or an attempt whose outcome is unknown) made by this process."""
    global _commits
    _commits += 1


def commits() -> int:
    """How many commits this process has counted."""
    return _commits
