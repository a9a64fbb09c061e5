"""What a reconciliation run does (its options) and what it has done so far (its state)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from callplane.jobs.models import JobRun
from callplane.tenancy import Actor, Role

ACTIONS = frozenset(
    {"bulk", "drift", "adopt", "orphans", "rewire", "trunk", "pending", "providers"}
)
REWIRE_ONLY = frozenset({"rewire"})
SUMMARY_FIELDS = (
    "tenants_checked",
    "tenants_failed",
    "drift_released",
    "bulk_released",
    "orphans",
    "adopted",
    "rewired",
    "duration_ms",
)
EXTRA_FIELDS = (
    "accounts_checked",
    "accounts_failed",
    "pages",
    "twilio_calls",
    "trunks_fixed",
    "pending_failed",
    "releases_completed",
    "bulk_failed",
    "writes_failed",
    # The provider pass (providers/reconcile.py).
    "provider_accounts_checked",
    "provider_accounts_failed",
    "provider_reregistered",
    "provider_pushed",
    "provider_retried",
    "provider_registered",
    "provider_removed",
    "provider_unknown",
    "provider_sync_failed",
)
MAX_ORPHANS_KEPT = 1000
MAX_FAILURES_KEPT = 200
JOB_ACTOR = Actor(role=Role.platform, label="job:reconcile")


def empty_summary() -> dict[str, int]:
    """Every counter at zero."""
    return {k: 0 for k in (*SUMMARY_FIELDS, *EXTRA_FIELDS)}


@dataclass(frozen=True)
class RunOptions:
    """What a run does: everything, or only rewiring; for all tenants or one; for real or dry."""

    dry_run: bool = False
    tenant_id: uuid.UUID | None = None
    actions: frozenset[str] = ACTIONS


def options_of(run: JobRun) -> RunOptions:
    """A stored run's options."""
    return RunOptions(
        dry_run=run.dry_run,
        tenant_id=run.scope_tenant_id,
        actions=REWIRE_ONLY if run.job == "rewire" else ACTIONS,
    )


@dataclass
class RunState:
    """A run's counters and progress, as kept in its JobRun row."""

    summary: dict[str, int]
    orphans: list[dict[str, Any]]
    failures: list[dict[str, Any]]
    done: set[str]
    bulk_done: bool
    duration_before_ms: int

    @classmethod
    def load(cls, run: JobRun) -> RunState:
        """The state a run was left in (empty for a new run)."""
        summary = empty_summary()
        summary.update({k: int(v) for k, v in (run.summary or {}).items() if k in summary})
        progress = run.progress or {}
        return cls(
            summary=summary,
            orphans=list(run.orphans or []),
            failures=list(progress.get("failures") or []),
            done=set(progress.get("done") or []),
            bulk_done=bool(progress.get("bulk_done")),
            duration_before_ms=summary["duration_ms"],
        )

    def count(self, key: str, n: int = 1) -> None:
        """Add to a counter."""
        self.summary[key] = self.summary.get(key, 0) + n

    def row_values(self) -> dict[str, Any]:
        """The JobRun columns that keep this state."""
        return {
            "summary": dict(self.summary),
            "orphans": self.orphans[:MAX_ORPHANS_KEPT],
            "progress": {
                "bulk_done": self.bulk_done,
                "done": sorted(self.done),
                "failures": self.failures[:MAX_FAILURES_KEPT],
            },
        }
