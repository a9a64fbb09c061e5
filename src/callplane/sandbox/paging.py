"""Twilio's two paging envelopes: v2010 (relative `*_uri`) and v1/v2 (`meta` with absolute URLs)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from callplane.sandbox.errors import TwilioError, invalid_param
from callplane.sandbox.state import OrderedIndex, Record
from callplane.sandbox.util import Params

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
# Twilio's page tokens: PA<sid> for the page after a record, PB<sid> for the page before it. The
# sandbox puts the record's sequence number there (PT is the sandbox's older spelling of PA).
_TOKEN_RE = re.compile(r"^P([ABT])(\d{1,18})$")


@dataclass(frozen=True)
class PageRequest:
    """Page, PageSize and PageToken as the SDK sends them."""

    page: int
    page_size: int
    after_seq: int | None
    token: str | None
    before_seq: int | None = None


def page_request(params: Params, default_size: int = DEFAULT_PAGE_SIZE) -> PageRequest:
    """Read the paging parameters; PageSize above 1000 is Twilio's 20007."""
    raw_size = params.get("PageSize")
    size = default_size
    if raw_size not in (None, ""):
        try:
            size = int(raw_size.strip())
        except ValueError:
            raise invalid_param("PageSize", "must be an integer") from None
        if size > MAX_PAGE_SIZE:
            raise TwilioError(400, 20007, f"PageSize must be at most {MAX_PAGE_SIZE}")
        if size < 1:
            raise invalid_param("PageSize", "must be at least 1")
    page = params.integer("Page", 0, lo=0, hi=10**9) or 0
    token = params.get("PageToken") or None
    after = before = None
    if token is not None:
        match = _TOKEN_RE.match(token)
        if not match:
            raise invalid_param("PageToken", "unknown page token")
        if match.group(1) == "B":
            before = int(match.group(2))
        else:
            after = int(match.group(2))
    return PageRequest(page=page, page_size=size, after_seq=after, token=token, before_seq=before)


def select(
    records: Iterable[T],
    req: PageRequest,
    keep: Callable[[T], bool] | None = None,
    *,
    newest_first: bool = False,
) -> tuple[list[T], bool]:
    """One page of records (and whether more follow), by token when given, else by offset.

    Tokens need an OrderedIndex (seek by sequence number); a plain list pages by offset only.
    """
    skip = 0
    backwards = False
    source: Iterable[T] = records
    if isinstance(records, OrderedIndex):
        if newest_first:
            source = records.newest_first()
            forward, backward = records.before, records.after
        else:
            source, forward, backward = records, records.after, records.before
        if req.before_seq is not None:
            source, backwards = backward(req.before_seq), True
        elif req.after_seq is not None:
            source = forward(req.after_seq)
        else:
            skip = req.page * req.page_size
    else:
        skip = req.page * req.page_size
    if keep is not None:
        source = (r for r in source if keep(r))
    window = list(itertools.islice(source, skip, skip + req.page_size + 1))
    if backwards:
        # The page before a record, read backwards from it; the page it came from follows.
        return window[: req.page_size][::-1], True
    return window[: req.page_size], len(window) > req.page_size


def _query(filters: list[tuple[str, str]], size: int, page: int, token: str | None) -> str:
    pairs = list(filters) + [("PageSize", str(size)), ("Page", str(page))]
    if token:
        pairs.append(("PageToken", token))
    return urlencode(pairs)


def _links(
    req: PageRequest, has_more: bool, page_records: Sequence[Record] | None
) -> tuple[str | None, str | None]:
    """The next and previous page tokens (None when there is no such page)."""
    if not page_records:
        return None, None
    next_token = f"PA{page_records[-1].seq}" if has_more else None
    previous_token = f"PB{page_records[0].seq}" if req.page > 0 else None
    return next_token, previous_token


def v2010_envelope(
    path: str,
    key: str,
    items: list[dict[str, Any]],
    req: PageRequest,
    has_more: bool,
    page_records: Sequence[Record] | None,
    filters: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The v2010 list envelope: relative URIs, start/end, exactly one record key."""
    filters = filters or []
    size, page = req.page_size, req.page
    start = page * size
    next_token, previous_token = _links(req, has_more, page_records)
    next_uri = f"{path}?{_query(filters, size, page + 1, next_token)}" if next_token else None
    previous_uri = None
    if page > 0:
        previous_uri = f"{path}?{_query(filters, size, page - 1, previous_token)}"
    return {
        "first_page_uri": f"{path}?{_query(filters, size, 0, None)}",
        "end": start + len(items) - 1 if items else start,
        "next_page_uri": next_uri,
        "page": page,
        "page_size": size,
        "previous_page_uri": previous_uri,
        "start": start,
        "uri": f"{path}?{_query(filters, size, page, req.token)}",
        key: items,
    }


def meta_envelope(
    base_url: str,
    key: str,
    items: list[dict[str, Any]],
    req: PageRequest,
    has_more: bool,
    page_records: Sequence[Record] | None,
    filters: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The v1/v2 list envelope: `meta` with absolute URLs on the real Twilio host."""
    filters = filters or []
    size, page = req.page_size, req.page
    next_token, previous_token = _links(req, has_more, page_records)
    next_url = f"{base_url}?{_query(filters, size, page + 1, next_token)}" if next_token else None
    previous_url = None
    if page > 0:
        previous_url = f"{base_url}?{_query(filters, size, page - 1, previous_token)}"
    return {
        "meta": {
            "first_page_url": f"{base_url}?{_query(filters, size, 0, None)}",
            "key": key,
            "next_page_url": next_url,
            "page": page,
            "page_size": size,
            "previous_page_url": previous_url,
            "url": f"{base_url}?{_query(filters, size, page, req.token)}",
        },
        key: items,
    }
