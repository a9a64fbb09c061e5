"""`python -m callplane.cli`."""

from callplane.cli.main import app

app()
