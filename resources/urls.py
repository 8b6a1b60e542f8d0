from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    # The crisis page keeps its address and name: the crisis panel, moderators' messages and every
    # page's header link to it.
    path("help/", views.crisis, name="crisis"),
    path("library/", views.library_home, name="library"),
    path("library/search/", views.search, name="search"),
    path("library/coping-card/", views.coping_card, name="coping_card"),
    path("library/<slug:slug>/", views.entry_detail, name="entry"),
]
