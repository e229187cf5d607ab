"""Gunicorn's settings for partnerhub (docs/decisions/0021): ``gunicorn -c python:partnerhub.gunicorn_conf``.

Read from the environment like the Django settings: BIND (default 127.0.0.1:PORT, PORT default 8000),
WEB_CONCURRENCY (worker processes, default 2 × cores + 1), GUNICORN_THREADS (default 1), BEHIND_PROXY
(trust X-Forwarded-* from FORWARDED_ALLOW_IPS, default 127.0.0.1), GUNICORN_TIMEOUT.
"""

import os

from partnerhub.conf import envbool, envint, envstr

wsgi_app = "partnerhub.wsgi:application"
bind = [envstr("BIND", f"127.0.0.1:{envint('PORT', 8000)}")]

# Sync workers: our views are plain synchronous Django and each request is short (decision 0021).
# 2 × cores + 1 keeps both cores busy while one worker waits for the database.
worker_class = "sync"
workers = envint("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
threads = envint("GUNICORN_THREADS", 1)

# A slow request (an export, a PDF) may take a while; a stuck one is killed and logged.
timeout = envint("GUNICORN_TIMEOUT", 60)
# On SIGTERM (a deploy, `docker stop`) requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5
# Workers are replaced now and then, not all at once, so a slow leak never grows without bound.
max_requests = envint("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = max_requests // 10

# The proxy's X-Forwarded-For / -Proto are believed only when we are told a proxy stands in front.
forwarded_allow_ips = envstr("FORWARDED_ALLOW_IPS", "127.0.0.1") if envbool("BEHIND_PROXY", False) else ""

accesslog = "-"
errorlog = "-"
loglevel = envstr("GUNICORN_LOG_LEVEL", "info")
# Client, time, request line, status, bytes, duration in ms, referrer, user agent.
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(B)s %(M)sms "%(f)s" "%(a)s"'
# Load the application once in the master: workers start faster and share memory pages.
preload_app = True


def when_ready(server):
    """Before the first fork: no database connection opened while loading may be shared by the workers."""
    from django.db import connections

    connections.close_all()
