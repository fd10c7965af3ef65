"""Test settings: Guichet's own, on real PostgreSQL and Redis (overridable by the environment)."""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guichet")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("EMAIL_URL", "memorymail://")

from crm.settings import *  # noqa: E402,F403

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "fragments": CACHES["fragments"],  # noqa: F405
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Throttling counters on real Redis, as in production (atomic increments shared by threads);
# tests/conftest.py gives every test its own key prefix.
CACHES["throttle"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": os.environ["REDIS_URL"],
    "KEY_PREFIX": f"guichet-test-throttle-{os.getpid()}",
}
THROTTLE_CACHE = "throttle"
