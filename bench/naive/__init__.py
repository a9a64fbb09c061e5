"""Seed-style voice webhook handlers: what callplane's source teams wrote before it (issue 20).

Per request each one reads the called number from the database, checks Twilio's signature with
the SDK's `RequestValidator` (made per request, with the number's account token) and answers
TwiML built with the SDK's `VoiceResponse`; `record` also writes the call to a table. They run
on their own tables (`naive_numbers`, `naive_events`, seeded with the same numbers as callplane's)
and are served the way such an app is: FastAPI on `uvicorn app:app` (its defaults: access log
on), Flask on gunicorn with 4 sync workers. Configured by NAIVE_DATABASE_URL and
NAIVE_PUBLIC_BASE_URL (the URL Twilio signs, as for callplane).
"""
