"""gunicorn settings, read from the environment (defaults suit one small machine)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Load the app (and its seed index) once, before forking workers.
preload_app = True
# No access log by default: URLs of suggest requests carry medication names.
accesslog = None
