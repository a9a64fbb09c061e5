"""The seed-style voice webhook on FastAPI: sync, async, and sync recording the call.

uvicorn bench.naive.fastapi_app:sync_app --factory      (also async_app, record_app)
"""

# No `from __future__ import annotations`: FastAPI reads the endpoints' annotations, which name
# dependencies local to the app factories.

from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, sessionmaker

from bench.naive import db


async def read_form(request: Request) -> dict[str, str]:
    """Twilio's form, as the validator wants it."""
    return {k: str(v) for k, v in (await request.form()).items()}


def _xml(body: str) -> Response:
    return Response(body, media_type="application/xml")


def _check(number: db.Number, public_base: str, request: Request, form: dict[str, str]) -> None:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not db.signed(number, public_base + request.url.path, form, signature):
        raise HTTPException(status_code=403, detail="invalid signature")


def _sync_app(database_url: str, public_base: str, record: bool) -> FastAPI:
    engine = db.sync_engine(database_url)
    session_factory = sessionmaker(engine)
    app = FastAPI()

    def get_db() -> Iterator[Session]:
        with session_factory() as session:
            yield session

    @app.post(db.VOICE_PATH)
    def voice(
        request: Request,
        form: Annotated[dict[str, str], Depends(read_form)],
        session: Annotated[Session, Depends(get_db)],
    ) -> Response:
        number = session.scalars(select(db.Number).where(db.Number.e164 == form.get("To"))).first()
        if number is None or not db.answers_for(number, form):
            return _xml(db.not_in_service())
        _check(number, public_base, request, form)
        answer = db.twiml(number)
        if record:
            session.add(db.event(form))
            session.commit()
        return _xml(answer)

    return app


def _async_app(database_url: str, public_base: str) -> FastAPI:
    engine = db.async_engine(database_url)
    session_factory = async_sessionmaker(engine)
    app = FastAPI()

    async def get_db() -> AsyncIterator[AsyncSession]:
        async with session_factory() as session:
            yield session

    @app.post(db.VOICE_PATH)
    async def voice(
        request: Request,
        form: Annotated[dict[str, str], Depends(read_form)],
        session: Annotated[AsyncSession, Depends(get_db)],
    ) -> Response:
        result = await session.scalars(select(db.Number).where(db.Number.e164 == form.get("To")))
        number = result.first()
        if number is None or not db.answers_for(number, form):
            return _xml(db.not_in_service())
        _check(number, public_base, request, form)
        return _xml(db.twiml(number))

    return app


def sync_app() -> FastAPI:
    """Sync endpoint (FastAPI's thread pool), sync SQLAlchemy session per request."""
    return _sync_app(*db.settings(), record=False)


def async_app() -> FastAPI:
    """Async endpoint, async SQLAlchemy session per request."""
    return _async_app(*db.settings())


def record_app() -> FastAPI:
    """As `sync_app`, and the call is written to `naive_events` before answering."""
    return _sync_app(*db.settings(), record=True)
