from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.manage_patch import ManagePatch


T = TypeVar("T", bound="NumberPatch")


@_attrs_define
class NumberPatch:
    """Attach the number to an agent or detach it (null), change its channels, its label.

    Attributes:
        agent_id (None | Unset | UUID):
        manage (ManagePatch | None | Unset):
        label (None | str | Unset):
    """

    agent_id: None | Unset | UUID = UNSET
    manage: ManagePatch | None | Unset = UNSET
    label: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.manage_patch import ManagePatch

        agent_id: None | str | Unset
        if isinstance(self.agent_id, Unset):
            agent_id = UNSET
        elif isinstance(self.agent_id, UUID):
            agent_id = str(self.agent_id)
        else:
            agent_id = self.agent_id

        manage: dict[str, Any] | None | Unset
        if isinstance(self.manage, Unset):
            manage = UNSET
        elif isinstance(self.manage, ManagePatch):
            manage = self.manage.to_dict()
        else:
            manage = self.manage

        label: None | str | Unset
        if isinstance(self.label, Unset):
            label = UNSET
        else:
            label = self.label

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if agent_id is not UNSET:
            field_dict["agent_id"] = agent_id
        if manage is not UNSET:
            field_dict["manage"] = manage
        if label is not UNSET:
            field_dict["label"] = label

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.manage_patch import ManagePatch

        d = dict(src_dict)

        def _parse_agent_id(data: object) -> None | Unset | UUID:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                agent_id_type_0 = UUID(data)

                return agent_id_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | UUID, data)

        agent_id = _parse_agent_id(d.pop("agent_id", UNSET))

        def _parse_manage(data: object) -> ManagePatch | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                manage_type_0 = ManagePatch.from_dict(data)

                return manage_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ManagePatch | None | Unset, data)

        manage = _parse_manage(d.pop("manage", UNSET))

        def _parse_label(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        label = _parse_label(d.pop("label", UNSET))

        number_patch = cls(
            agent_id=agent_id,
            manage=manage,
            label=label,
        )

        return number_patch
