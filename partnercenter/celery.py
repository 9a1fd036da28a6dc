"""The Celery application.

With no ``CELERY_BROKER_URL`` in the environment tasks run eagerly in the calling process
(``CELERY_TASK_ALWAYS_EAGER``), so a developer needs no broker server. Production and the
end-to-end suite set ``CELERY_BROKER_URL`` (e.g. ``redis://127.0.0.1:6379/0``) and run a worker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnercenter.settings")

app = Celery("partnercenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
