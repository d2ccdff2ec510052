from django.urls import path, register_converter

from . import converters, feeds, live, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.CategoryPathConverter, "catpath")
register_converter(converters.YearConverter, "yyyy")
register_converter(converters.TwoDigitConverter, "dd")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("articles/", views.ArticleListView.as_view(), name="list"),
    path("sections/", views.SectionListView.as_view(), name="sections"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("sitemap-news.xml", views.news_sitemap, name="news-sitemap"),
    path("corrections/", views.CorrectionListView.as_view(), name="corrections"),
    path("corrections/feed/", feeds.CorrectionFeed(), name="corrections-feed"),
    path("feed/", feeds.ArticleFeed(), name="feed"),
    path("feed/atom/", feeds.AtomArticleFeed(), name="feed-atom"),
    path("category/<catpath:path>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("category/<catpath:path>/feed/atom/", feeds.AtomCategoryFeed(), name="category-feed-atom"),
    path("category/<catpath:path>/", views.CategoryView.as_view(), name="category"),
    path("tag/<uslug:slug>/feed/", feeds.TagFeed(), name="tag-feed"),
    path("tag/<uslug:slug>/feed/atom/", feeds.AtomTagFeed(), name="tag-feed-atom"),
    path("tag/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("author/<uslug:slug>/feed/", feeds.AuthorFeed(), name="author-feed"),
    path("author/<uslug:slug>/feed/atom/", feeds.AtomAuthorFeed(), name="author-feed-atom"),
    path("author/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
    path("<yyyy:year>/", views.YearArchive.as_view(), name="archive-year"),
    path("<yyyy:year>/<dd:month>/", views.MonthArchive.as_view(), name="archive-month"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.DayArchive.as_view(), name="archive-day"),
    path("<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/", views.ArticleDetailView.as_view(), name="detail"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/updates.json",
        live.LiveUpdatesView.as_view(),
        name="live-updates",
    ),
    path("<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/updates/", live.OlderUpdatesView.as_view(), name="live-older"),
]
