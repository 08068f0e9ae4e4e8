"""gunicorn settings for the portal: ``gunicorn -c deploy/gunicorn.conf.py portal.wsgi:app``."""

import multiprocessing
import os

from prometheus_client import multiprocess

bind = os.environ.get("PORTAL_BIND", "127.0.0.1:8000")
# Two workers per core is a good start for a mostly I/O-bound Flask app;
# measure with bench/load/run.py before changing it.
workers = int(os.environ.get("PORTAL_WORKERS", multiprocessing.cpu_count() * 2))
threads = 1
timeout = 30
graceful_timeout = 30
# Recycle workers now and then so a slow leak can never grow without bound.
max_requests = 5000
max_requests_jitter = 500
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = None  # the portal writes its own structured request log
errorlog = "-"


def child_exit(server, worker):
    """Forget a finished worker's metrics files (PROMETHEUS_MULTIPROC_DIR)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
