"""The peer's URLs: django-helpdesk at the site root (as in its standalone set-up), the admin beside it."""
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
