import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.config.settings")
application = get_asgi_application()

from onewindow.config.startup import freeze_startup_heap  # noqa: E402 - needs the settings above

# Load the URLconf now and keep the startup objects out of every later collection (why: startup.py).
freeze_startup_heap()
