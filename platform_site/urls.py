from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from platform_site import views

# The admin's own login page would skip allauth's rate limits and MFA: send it through allauth.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Thaw administration"

urlpatterns = [
    path("", views.home, name="home"),
    path("guidelines/", views.guidelines, name="guidelines"),
    path("healthz/", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("me/", include("accounts.urls")),
    path("groups/", include("groups.urls")),
    path("", include("resources.urls")),
    path("moderation/", include("moderation.urls")),
    path("messages/", include("moderation.member_urls")),
    path("admin/", admin.site.urls),
]

# Bodies too large, too many fields, any file: a page that says why (platform_site/limits.py).
handler400 = "platform_site.limits.request_refused"
