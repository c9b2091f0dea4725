"""Login lockout: django-axes on every web login."""

from axes.backends import AxesStandaloneBackend


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check before each login attempt.

    Every web login (the login page, the admin) passes the request and is counted and locked out
    by axes. A call without a request is not a web login — the test client's login(), a shell
    script — and axes cannot count it by address, so it is left to the next backend instead of
    failing with AxesBackendRequestParameterRequired.
    """

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
