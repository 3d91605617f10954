"""Celery application. Without REDIS_URL tasks run eagerly in-process (embedded default)."""

import os

from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


# kombu's Redis channels do not put their unacknowledged messages back in the queue when they
# close; the messages stay in Redis's "unacked" hash and the visibility-timeout sweep
# (restore_visible, every 10 s in any worker, config/settings.py) puts them back. On a lost
# connection that push-back could not work anyway (Redis is away), and it killed the worker (issue
# 13, the restart drill, about one Redis restart in four; celery/kombu#970 is the same path).
# Celery's clean-up after a lost connection (Consumer.on_connection_error_after_connected:
# connection.collect(), then connection.close()) can reach the task channel's close after
# collect() dropped the transport's client; the push-back then builds a Redis client from it,
# raises AttributeError ("'NoneType' object has no attribute 'hostname'") instead of a connection
# error, and the worker exits with "Unrecoverable error", taking no more tasks. No setting turns
# the push-back off, hence this class attribute (read in kombu's QoS.restore_unacked_once).
# The price: on a warm shutdown, a message taken but not started waits for the sweep.
kombu_redis.QoS.restore_at_shutdown = False

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
