from django.urls import path

from uslugi.exchange import views

app_name = "exchange"

urlpatterns = [
    path("types", views.type_list, name="types"),
    path("types/<path:key>", views.type_detail, name="type"),
    path("v1/messages", views.messages, name="messages"),
    path("v1/keys", views.keys, name="keys"),
]
