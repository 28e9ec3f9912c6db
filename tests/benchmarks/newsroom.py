"""An editor publishing through ``coverage.services``, in a process of its own.

Benchmarks that measure how soon readers see an update start one with the
site's environment (its settings, its database) and call ``publish()``: the
update is saved as the admin saves one, committed, and the moment after the
commit is returned, to measure readers' delays from.
"""

import json
import subprocess
from contextlib import contextmanager

from tests.benchmarks import servers

# Read from standard input: one line, one update (its body).
SCRIPT = """
import json, sys, time
from django.utils import timezone
from coverage import services
from coverage.models import Story, Update
story = Story.objects.get(slug={slug!r})
for line in sys.stdin:
    update = Update(story=story, body=line.strip(), status="published", published_at=timezone.now())
    services.save_update(update=update, authors=[story.lead_author])
    print(json.dumps({{"id": update.pk, "at": time.time()}}), flush=True)
"""


class Editor:
    def __init__(self, process):
        self.process = process

    def publish(self, body):
        """Publish an update with ``body``: ``(its id, the Unix time just after the commit)``."""
        self.process.stdin.write(body.replace("\n", " ") + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the editor's process ended")
        published = json.loads(line)
        return published["id"], published["at"]


@contextmanager
def editor(env, slug):
    """An ``Editor`` publishing to the story ``slug`` of the site ``env`` describes."""
    command = [servers.PYTHON, "manage.py", "shell", "--no-imports", "-c", SCRIPT.format(slug=slug)]
    process = subprocess.Popen(
        command, env=env, cwd=servers.ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        yield Editor(process)
    finally:
        process.stdin.close()
        process.wait(timeout=30)
