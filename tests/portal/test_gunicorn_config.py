"""gunicorn.conf.py, which gunicorn reads from the directory it starts in: each worker, once
loaded, has the views imported and everything loaded frozen out of the garbage collector's walks.
(A real gunicorn boots with it in test_storage_s3.py.)"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.portal.scaleout import ROOT, child_environment

WORKER = """
import gc, json, runpy, sys
import django
django.setup()
before = gc.get_freeze_count()
loaded_before = "products.views" in sys.modules
conf = runpy.run_path("gunicorn.conf.py")
conf["post_worker_init"](None)
print(json.dumps({"before": before, "after": gc.get_freeze_count(), "threshold": gc.get_threshold(),
    "views_before": loaded_before, "views_after": "products.views" in sys.modules,
    "young": conf["YOUNG_COLLECTION_EVERY"]}))
"""


def test_a_worker_freezes_what_it_loaded_and_collects_young_objects_less_often():
    env = child_environment(DJANGO_SETTINGS_MODULE="config.settings")
    done = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert seen["after"] > 10_000  # Django, the apps and their views: far more than this
    assert not seen["views_before"]
    assert seen["views_after"]
    assert seen["threshold"][0] == seen["young"]
    assert seen["young"] > 700  # Python's default
