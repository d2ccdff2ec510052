from django.urls import path, register_converter

from . import converters, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.CategoryPathConverter, "catpath")
register_converter(converters.YearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("category/<catpath:path>/", views.CategoryView.as_view(), name="category"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
]
