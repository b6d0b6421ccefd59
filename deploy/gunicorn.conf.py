"""Gunicorn settings for Attunement's web server, read by deploy/supervisord.conf (make run) and the systemd unit.

The address comes from HOST and PORT (127.0.0.1:8000 unless set); the workers from WEB_WORKERS (2 unless set).
"""

import os

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = 4

# Spread the work over every worker. A kept-alive connection stays with the worker that accepted it, and a
# worker keeps accepting connections while all its threads are busy, so a few busy clients (or a proxy's pooled
# connections) could put all the work on one worker while the other idled: bench/http_load.py measured it in
# 2 of 3 runs, at half the throughput. So each connection is closed after its answer, and a worker holds no more
# connections than it has threads: while it is full, the next connection goes to a worker with a thread free.
# A new connection on the same machine or behind a proxy costs far less than a page.
keepalive = 0
worker_connections = threads

accesslog = "-"
loglevel = "warning"
