from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def crisis(request: HttpRequest) -> HttpResponse:
    """The crisis page: no login, no rate limit, nothing that could keep someone from it."""
    return render(request, "resources/crisis.html")
