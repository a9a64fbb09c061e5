"""The seed-style voice webhook on Flask.

gunicorn -w 4 'bench.naive.flask_app:create_app()'
"""

from __future__ import annotations

from flask import Flask, Response, abort, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.naive import db


def create_app() -> Flask:
    """The Flask app (one engine per worker: gunicorn imports it after forking)."""
    database_url, public_base = db.settings()
    engine = db.sync_engine(database_url)
    app = Flask(__name__)

    @app.post(db.VOICE_PATH)
    def voice() -> Response:
        form = request.form.to_dict()
        with Session(engine) as session:
            number = session.scalars(
                select(db.Number).where(db.Number.e164 == form.get("To"))
            ).first()
            if number is None or not db.answers_for(number, form):
                return Response(db.not_in_service(), mimetype="application/xml")
            signature = request.headers.get("X-Twilio-Signature", "")
            if not db.signed(number, public_base + request.path, form, signature):
                abort(403)
            return Response(db.twiml(number), mimetype="application/xml")

    return app
