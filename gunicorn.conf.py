"""gunicorn settings, read from the environment (defaults suit one small machine)."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "20"))
# Load the app once, before forking workers, so they share the seed index built in on_starting.
preload_app = True
# No access log by default: URLs of suggest requests carry medication names.
accesslog = None
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, so every instance on a
# machine would bind the same file. Off unless GUNICORN_CONTROL_SOCKET names this instance's own path.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not _control_socket
if _control_socket:
    control_socket = _control_socket


def on_starting(server):
    """Prepare the database when configured (the embedded default) and build the seed index, in the master."""
    from service.startup import start

    start(server.app.wsgi())
