"""The request of a page or API operation behind a login guard (`login_required`, a guard built on it,
the API's AUTH): its user is a signed-in `accounts.User`, never `AnonymousUser`, so views pass
`request.user` to services and selectors as it is.

For the type checker only: at run time the view receives Django's HttpRequest (the guard has checked
the user), and core names the user type under TYPE_CHECKING so it imports no app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from onewindow.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User
