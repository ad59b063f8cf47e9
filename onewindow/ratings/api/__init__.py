"""好差评 API (/api/v1/ratings/): every operation of the pages.

- the person served (bearer token from the app = channel "phone", or the session = "api"): what I
  can rate, rate, my ratings, correct, answer a follow-up reply;
- no login: the signed link (read, rate) and the reply link (answer);
- devices: the window's pad (X-Pad-Token) and the kiosk (X-Kiosk-Token);
- the delivering unit: follow-ups (list, read, verify, reply) and appeals;
- the hall manager: decide appeals, the window ranking, issue pad tokens;
- everyone: the public monthly results. Errors: {code, message, fields}.
"""

from . import served, unit  # noqa: F401 - their operations register on the router, in this order
from .base import router

__all__ = ["router"]
