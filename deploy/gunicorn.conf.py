"""Gunicorn settings for the app servers (`gunicorn -c deploy/gunicorn.conf.py cms.wsgi`).

The root gunicorn.conf.py loads this file, so a bare `gunicorn cms.wsgi` from the project
directory gets the same settings. Command-line flags override it.
"""

import multiprocessing
import os

# Where this instance listens: one port per instance (deploy/systemd/cms-web@.service).
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Sync workers: each request is a few indexed queries; 2 per core plus one is gunicorn's advice.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# Recycle workers now and then, so a slow leak never becomes an outage. Not too often: a worker
# answers hundreds of cached reads a second, and each restart (a second of Django start-up, a new
# database connection and feed listener) queues requests behind it. At 2,000, bench/topology.py's
# origin load restarted each worker every 3 s, for a p99 of 1.25 s.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 50000))
max_requests_jitter = max_requests // 10
# Varnish (or the TLS terminator) on these addresses may set X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# The access log redacts preview tokens (any encoding) and names the client as throttling sees it.
logger_class = "cms.gunicorn_logging.RedactingGunicornLogger"
