"""Trunk shapes: the SIP password appears only in the answer that created or rotated it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from callplane.numbers.models import PhoneNumber
from callplane.schemas import StrictModel
from callplane.trunks import naming
from callplane.trunks.converge import TrunkResult


class TrunkPut(StrictModel):
    """`PUT trunk`: the origination SIP URI (else CALLPLANE_ORIGINATION_SIP_URI)."""

    origination_sip_uri: str | None = Field(
        default=None,
        max_length=2048,
        description="Where Twilio sends the tenant's inbound calls, e.g. sip:agent.example.com",
        examples=["sip:tenant-a.sip.example-voice-ai.com;transport=tcp"],
    )


class TrunkOut(BaseModel):
    """A tenant's Elastic SIP trunk."""

    id: uuid.UUID
    sid: str
    account_sid: str
    friendly_name: str
    domain_name: str
    termination_uri: str = Field(description="Where the provider sends outbound calls")
    origination_uri: str | None = Field(description="Where Twilio sends inbound calls")
    sip_username: str | None
    sip_password: str | None = Field(
        default=None, description="Only in the answer that created, reissued or rotated it"
    )
    password_reissued: bool = Field(
        default=False,
        description=(
            "True when the trunk already existed but its password could not be recovered "
            "(a lost database row, an adopted legacy trunk): a new one was set"
        ),
    )
    origin: str = Field(description="created | found (re-found by its tag) | adopted (legacy)")
    status: str
    phone_numbers: list[str] = Field(default_factory=list, description="E.164 numbers on the trunk")
    created_at: datetime

    @classmethod
    def from_result(cls, result: TrunkResult) -> TrunkOut:
        """The public view of a trunk; the password only when this answer issued it."""
        row = result.trunk
        return cls(
            id=row.id,
            sid=row.twilio_sid,
            account_sid=row.account_sid,
            friendly_name=row.friendly_name,
            domain_name=row.domain_name,
            termination_uri=naming.termination_uri(row.domain_name),
            origination_uri=row.origination_uri,
            sip_username=row.sip_username,
            sip_password=result.sip_password,
            password_reissued=result.password_reissued,
            origin=row.origin,
            status=row.status,
            phone_numbers=result.numbers,
            created_at=row.created_at,
        )


class TrunkNumberOut(BaseModel):
    """A number as its trunk association sees it."""

    id: uuid.UUID
    phone_number: str
    trunk_id: uuid.UUID | None
    twilio_sid: str | None
    status: str
    emergency_address_sid: str | None = None

    @classmethod
    def from_model(
        cls, number: PhoneNumber, emergency_address_sid: str | None = None
    ) -> TrunkNumberOut:
        """A number as the trunk routes see it."""
        return cls(
            id=number.id,
            phone_number=number.e164,
            trunk_id=number.trunk_id,
            twilio_sid=number.twilio_sid,
            status=number.status,
            emergency_address_sid=emergency_address_sid,
        )
