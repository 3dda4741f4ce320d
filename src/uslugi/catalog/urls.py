"""Catalogue URLs (names are global: the home page shows its search box when `search`
resolves)."""

from django.urls import path

from uslugi.catalog import views

urlpatterns = [
    path("search", views.search, name="search"),
    path("search/suggest", views.suggest, name="search-suggest"),
    path("services/", views.catalog_home, name="catalog"),
    path("services/region/", views.region_choose, name="catalog-region"),
    path("services/categories/", views.category_list, name="catalog-categories"),
    path("services/categories/<slug:slug>/", views.category_detail, name="catalog-category"),
    path("services/departments/", views.department_list, name="catalog-departments"),
    path("services/departments/<slug:code>/", views.department_detail, name="catalog-department"),
    path("services/situations/", views.situation_list, name="catalog-situations"),
    path("services/situations/<slug:slug>/", views.situation_detail, name="catalog-situation"),
    path("service/<slug:code>/", views.service_detail, name="catalog-service"),
]
