"""Twilio's two paging envelopes: v2010 (relative `*_uri`) and v1/v2 (`meta` with absolute URLs)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from callplane.sandbox.errors import TwilioError, invalid_param
from callplane.sandbox.util import Params

T = TypeVar("T")

MAX_PAGE_SIZE = 1000
DEFAULT_PAGE_SIZE = 50
_TOKEN_RE = re.compile(r"^PT(\d{1,18})$")


@dataclass(frozen=True)
class PageRequest:
    """Page, PageSize and PageToken as the SDK sends them."""

    page: int
    page_size: int
    after_seq: int | None
    token: str | None


def page_request(params: Params, default_size: int = DEFAULT_PAGE_SIZE) -> PageRequest:
    """Read the paging parameters; PageSize above 1000 is Twilio's 20007."""
    raw_size = params.get("PageSize")
    size = default_size
    if raw_size not in (None, ""):
        try:
            size = int(raw_size.strip())  # type: ignore[union-attr]
        except ValueError:
            raise invalid_param("PageSize", "must be an integer") from None
        if size > MAX_PAGE_SIZE:
            raise TwilioError(400, 20007, f"PageSize must be at most {MAX_PAGE_SIZE}")
        if size < 1:
            raise invalid_param("PageSize", "must be at least 1")
    page = params.integer("Page", 0, lo=0, hi=10**9) or 0
    token = params.get("PageToken") or None
    after = None
    if token is not None:
        match = _TOKEN_RE.match(token)
        if not match:
            raise invalid_param("PageToken", "unknown page token")
        after = int(match.group(1))
    return PageRequest(page=page, page_size=size, after_seq=after, token=token)


def select(
    records: Iterable[T],
    req: PageRequest,
    keep: Callable[[T], bool] | None = None,
    *,
    after: Callable[[int | None], Iterable[T]] | None = None,
) -> tuple[list[T], bool]:
    """One page of records (and whether more follow), by token when given, else by offset."""
    if req.after_seq is not None and after is not None:
        source: Iterable[T] = after(req.after_seq)
        skip = 0
    else:
        source = records
        skip = req.page * req.page_size
    if keep is not None:
        source = (r for r in source if keep(r))
    window = list(itertools.islice(source, skip, skip + req.page_size + 1))
    has_more = len(window) > req.page_size
    return window[: req.page_size], has_more


def _query(filters: list[tuple[str, str]], size: int, page: int, token: str | None) -> str:
    pairs = list(filters) + [("PageSize", str(size)), ("Page", str(page))]
    if token:
        pairs.append(("PageToken", token))
    return urlencode(pairs)


def v2010_envelope(
    path: str,
    key: str,
    items: list[dict[str, Any]],
    req: PageRequest,
    has_more: bool,
    last_seq: int | None,
    filters: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The v2010 list envelope: relative URIs, start/end, exactly one record key."""
    filters = filters or []
    size, page = req.page_size, req.page
    start = page * size
    next_uri = None
    if has_more and last_seq is not None:
        next_uri = f"{path}?{_query(filters, size, page + 1, f'PT{last_seq}')}"
    previous_uri = f"{path}?{_query(filters, size, page - 1, None)}" if page > 0 else None
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
    last_seq: int | None,
    filters: list[tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The v1/v2 list envelope: `meta` with absolute URLs on the real Twilio host."""
    filters = filters or []
    size, page = req.page_size, req.page
    next_url = None
    if has_more and last_seq is not None:
        next_url = f"{base_url}?{_query(filters, size, page + 1, f'PT{last_seq}')}"
    previous_url = f"{base_url}?{_query(filters, size, page - 1, None)}" if page > 0 else None
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
