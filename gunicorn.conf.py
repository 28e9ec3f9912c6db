"""gunicorn settings for liveblog: `gunicorn -c gunicorn.conf.py liveblog.wsgi`.

Every value can be overridden by the matching environment variable.
"""

import multiprocessing
import os

# Loopback only: the app answers the proxy in front of it (nginx, ops/nginx.conf), never the
# internet directly, where a client could skip the proxy and write its own X-Forwarded-For.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Threads let a worker keep serving while another request waits on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
