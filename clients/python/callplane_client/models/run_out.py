from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.run_out_failures_item import RunOutFailuresItem
    from ..models.run_out_orphans_item import RunOutOrphansItem
    from ..models.run_out_summary import RunOutSummary


T = TypeVar("T", bound="RunOut")


@_attrs_define
class RunOut:
    """A job run.

    Attributes:
        id (UUID):
        job (str):
        trigger (str):
        dry_run (bool):
        status (str):
        attempts (int):
        started_at (datetime.datetime):
        summary (RunOutSummary):
        slot (None | str | Unset):
        tenant_id (None | Unset | UUID):
        executor (None | str | Unset):
        finished_at (datetime.datetime | None | Unset):
        orphans (list[RunOutOrphansItem] | Unset):
        failures (list[RunOutFailuresItem] | Unset):
        error (None | str | Unset):
    """

    id: UUID
    job: str
    trigger: str
    dry_run: bool
    status: str
    attempts: int
    started_at: datetime.datetime
    summary: RunOutSummary
    slot: None | str | Unset = UNSET
    tenant_id: None | Unset | UUID = UNSET
    executor: None | str | Unset = UNSET
    finished_at: datetime.datetime | None | Unset = UNSET
    orphans: list[RunOutOrphansItem] | Unset = UNSET
    failures: list[RunOutFailuresItem] | Unset = UNSET
    error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        job = self.job

        trigger = self.trigger

        dry_run = self.dry_run

        status = self.status

        attempts = self.attempts

        started_at = self.started_at.isoformat()

        summary = self.summary.to_dict()

        slot: None | str | Unset
        if isinstance(self.slot, Unset):
            slot = UNSET
        else:
            slot = self.slot

        tenant_id: None | str | Unset
        if isinstance(self.tenant_id, Unset):
            tenant_id = UNSET
        elif isinstance(self.tenant_id, UUID):
            tenant_id = str(self.tenant_id)
        else:
            tenant_id = self.tenant_id

        executor: None | str | Unset
        if isinstance(self.executor, Unset):
            executor = UNSET
        else:
            executor = self.executor

        finished_at: None | str | Unset
        if isinstance(self.finished_at, Unset):
            finished_at = UNSET
        elif isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        orphans: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.orphans, Unset):
            orphans = []
            for orphans_item_data in self.orphans:
                orphans_item = orphans_item_data.to_dict()
                orphans.append(orphans_item)

        failures: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.failures, Unset):
            failures = []
            for failures_item_data in self.failures:
                failures_item = failures_item_data.to_dict()
                failures.append(failures_item)

        error: None | str | Unset
        if isinstance(self.error, Unset):
            error = UNSET
        else:
            error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "job": job,
                "trigger": trigger,
                "dry_run": dry_run,
                "status": status,
                "attempts": attempts,
                "started_at": started_at,
                "summary": summary,
            }
        )
        if slot is not UNSET:
            field_dict["slot"] = slot
        if tenant_id is not UNSET:
            field_dict["tenant_id"] = tenant_id
        if executor is not UNSET:
            field_dict["executor"] = executor
        if finished_at is not UNSET:
            field_dict["finished_at"] = finished_at
        if orphans is not UNSET:
            field_dict["orphans"] = orphans
        if failures is not UNSET:
            field_dict["failures"] = failures
        if error is not UNSET:
            field_dict["error"] = error

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.run_out_failures_item import RunOutFailuresItem
        from ..models.run_out_orphans_item import RunOutOrphansItem
        from ..models.run_out_summary import RunOutSummary

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        job = d.pop("job")

        trigger = d.pop("trigger")

        dry_run = d.pop("dry_run")

        status = d.pop("status")

        attempts = d.pop("attempts")

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        summary = RunOutSummary.from_dict(d.pop("summary"))

        def _parse_slot(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        slot = _parse_slot(d.pop("slot", UNSET))

        def _parse_tenant_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                tenant_id_type_0 = UUID(data)

                return tenant_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        tenant_id = _parse_tenant_id(d.pop("tenant_id", UNSET))

        def _parse_executor(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        executor = _parse_executor(d.pop("executor", UNSET))

        def _parse_finished_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        finished_at = _parse_finished_at(d.pop("finished_at", UNSET))

        _orphans = d.pop("orphans", UNSET)
        orphans: list[RunOutOrphansItem] | Unset = UNSET
        if _orphans is not UNSET:
            orphans = []
            for orphans_item_data in _orphans:
                orphans_item = RunOutOrphansItem.from_dict(orphans_item_data)

                orphans.append(orphans_item)

        _failures = d.pop("failures", UNSET)
        failures: list[RunOutFailuresItem] | Unset = UNSET
        if _failures is not UNSET:
            failures = []
            for failures_item_data in _failures:
                failures_item = RunOutFailuresItem.from_dict(failures_item_data)

                failures.append(failures_item)

        def _parse_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        error = _parse_error(d.pop("error", UNSET))

        run_out = cls(
            id=id,
            job=job,
            trigger=trigger,
            dry_run=dry_run,
            status=status,
            attempts=attempts,
            started_at=started_at,
            summary=summary,
            slot=slot,
            tenant_id=tenant_id,
            executor=executor,
            finished_at=finished_at,
            orphans=orphans,
            failures=failures,
            error=error,
        )

        run_out.additional_properties = d
        return run_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
