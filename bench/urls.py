"""The benchmark's URLconf: one trivial page, so that the figures measure the server, not a view."""
from django.http import HttpRequest, HttpResponse
from django.urls import path


def plain(request: HttpRequest) -> HttpResponse:
    """A sync view, like every Thaw page: under ASGI it pays the hop to Django's sync thread."""
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [
    path("plain/", plain, name="bench-plain"),
]
