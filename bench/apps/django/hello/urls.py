from django.urls import path

from hello import views

urlpatterns = [
    path("json", views.json),
    path("plaintext", views.plaintext),
    path("db", views.db),
    path("queries", views.queries),
    path("fortunes", views.fortunes),
    path("updates", views.updates),
]
