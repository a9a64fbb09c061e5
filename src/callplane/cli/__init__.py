"""The `callplane` command line (`main`: the app; `jobs`: the jobs' commands)."""

from callplane.cli.main import app

__all__ = ["app"]
