# The workbench pages are tested with the cases fixtures (matters, the real-estate bundle, routes).
from onewindow.cases.tests.conftest import *  # noqa: F403
