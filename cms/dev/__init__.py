"""The project's tools for a developer's machine: `manage.py serve` (what `make run` runs).

Installed by the dev and test settings only; production runs gunicorn and the worker itself.
"""
