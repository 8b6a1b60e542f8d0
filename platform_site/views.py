from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from platform_site.health import database_is_reachable


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_site/home.html")


def guidelines(request: HttpRequest) -> HttpResponse:
    return render(request, "platform_site/guidelines.html")


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for the load balancer and docker-compose: the process answers and the DB too."""
    database_ok = database_is_reachable()
    return JsonResponse({"status": "ok" if database_ok else "degraded", "database": database_ok}, status=200 if database_ok else 503)
