"""A stateful Twilio-compatible API for offline runs and tests (see docs/sandbox.md).

Entry points: `callplane.sandbox.app.create_sandbox_app` (the ASGI app) and
`callplane.sandbox.server.SandboxServer` / `run_sandbox` (served over HTTP). The package imports
nothing from the rest of callplane.
"""
