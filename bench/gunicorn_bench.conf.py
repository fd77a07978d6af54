"""Gunicorn settings of the benchmark's server: none beyond its command line.

The project's ./gunicorn.conf.py (deploy/gunicorn.conf.py) writes an access log line per request
to stdout, as production wants; under wrk that is tens of thousands of lines a second, which
would measure the terminal, and a checkout from before that file (an A/B run) has no access log.
The benchmark's server logs errors only, to its own file, whatever the checkout.
"""
