"""openFDA as an evidence source: what a drug's US label and FAERS reports say about muscle cramps.

The seed covers the classes the literature names; openFDA is asked about every resolved
ingredient, within a time budget, and what it adds is reported beside the seed's flags.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import pybreaker
import redis
import requests
from pyrate_limiter import Duration, InMemoryBucket, Limiter, Rate, RedisBucket
from sqlalchemy import Engine

from .client import OpenFDAClient, OpenFDARejected
from .source import DatabaseCache, OpenFDASource

log = logging.getLogger(__name__)


def build_source(config: Mapping[str, Any], engine: Callable[[], Engine],
                 pharm_classes: Callable[[], dict[str, str]]) -> OpenFDASource | None:
    """The openFDA evidence source for this configuration; None when openFDA is disabled."""
    if not config["OPENFDA_ENABLED"]:
        return None
    session = requests.Session()
    session.headers["User-Agent"] = "CrampCheck medication side-effect checker"
    client = OpenFDAClient(
        session, base_url=config["OPENFDA_BASE_URL"], api_key=config["OPENFDA_API_KEY"],
        timeout=config["OPENFDA_TIMEOUT"], limiter=Limiter(_throttle_bucket(config)),
        max_attempts=config["OPENFDA_MAX_ATTEMPTS"],
        breaker=pybreaker.CircuitBreaker(fail_max=config["OPENFDA_BREAKER_FAILURES"],
                                         reset_timeout=config["OPENFDA_BREAKER_RESET_SECONDS"],
                                         exclude=[OpenFDARejected]),
    )
    return OpenFDASource(
        client, DatabaseCache(engine), pharm_classes,
        ttl={"label": timedelta(hours=config["OPENFDA_LABEL_TTL_HOURS"]),
             "faers": timedelta(hours=config["OPENFDA_FAERS_TTL_HOURS"]),
             "class": timedelta(hours=config["OPENFDA_CLASS_TTL_HOURS"])},
        clock=time.monotonic, budget_seconds=config["OPENFDA_BUDGET_SECONDS"],
    )


def _throttle_bucket(config: Mapping[str, Any]) -> Any:
    """The throttle's bucket: in Redis when configured, so every instance shares openFDA's quota."""
    rates = [Rate(config["OPENFDA_RATE_PER_SECOND"], Duration.SECOND),
             Rate(config["OPENFDA_RATE_PER_MINUTE"], Duration.MINUTE)]
    if config.get("REDIS_URL"):
        try:
            client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=2)
            return RedisBucket.init(rates, client, f"{config['HUEY_NAME']}:openfda-throttle")
        except redis.RedisError as error:
            log.warning("openFDA throttle kept per process: Redis unavailable (%s)", type(error).__name__)
    return InMemoryBucket(rates)
