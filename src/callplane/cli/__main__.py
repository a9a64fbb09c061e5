"""`python -m callplane.cli`."""

from callplane.cli.main import app

if __name__ == "__main__":  # importing this module (a walk over the package) runs nothing
    app()
