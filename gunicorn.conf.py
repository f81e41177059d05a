"""gunicorn settings, read from the environment (defaults suit one small machine)."""

import os
import resource
import shutil

workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
# gunicorn's threaded worker, but each request is read whole in the worker's event loop before a
# thread takes it, so idle and slow clients hold no thread (service/serving.py; its timeouts are
# GUNICORN_HEADER_TIMEOUT and GUNICORN_BODY_TIMEOUT).
worker_class = "service.serving.BufferingThreadWorker"
# Connections one worker holds open. An idle or unfinished one costs a file descriptor and a few
# kilobytes, not a thread, so the default is 10,000, kept under the process's file limit.
_files = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
worker_connections = int(os.environ.get("GUNICORN_WORKER_CONNECTIONS",
                                        min(10_000, max(100, _files - 200)) if _files > 0 else 10_000))
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

# Prometheus metrics from every worker (/metrics sums them): each process writes its own files in
# this folder, by default one per server in the instance folder. Named here, before the app (and
# prometheus_client) is imported; made and emptied in on_starting, so counters start at zero.
_own_metrics_dir = "PROMETHEUS_MULTIPROC_DIR" not in os.environ
if _own_metrics_dir:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = os.path.join(os.path.dirname(os.path.abspath(__file__)), "instance",
                                                          f"metrics-{os.getpid()}")


def on_starting(server):
    """Prepare the database when configured (the embedded default) and build the seed index, in the master."""
    from service.startup import start

    _clear_metrics(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    start(server.app.wsgi())


def child_exit(server, worker):
    """Mark a dead worker's metrics files so its live gauges stop counting (counters are kept)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """Remove the metrics folder this configuration made."""
    if _own_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)


def _clear_metrics(folder):
    os.makedirs(folder, exist_ok=True)
    for name in os.listdir(folder):
        if name.endswith(".db"):
            os.remove(os.path.join(folder, name))
