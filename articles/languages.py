"""An article's language: the codes we keep, what other readers of them want (Google News,
`<html lang>`), and the language of a text whose source names none."""

import re

from django.conf import global_settings, settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info, gettext, gettext_lazy

from .text import CJK_CHARACTER, plain_text

# Characters common in Chinese text that differ between the two scripts, as (simplified,
# traditional) pairs. Only pairs where neither form is also an ordinary character of the other
# script (后 and 後, 里 and 裡, 干 and 乾 are left out: 皇后, 公里 and 干 are traditional too).
_SCRIPT_PAIRS = (
    "这這 们們 个個 来來 时時 说說 国國 会會 学學 对對 发發 无無 经經 过過 还還 点點 现現 开開 关關 "
    "么麼 样樣 长長 问問 间間 体體 实實 进進 动動 与與 应應 话話 当當 种種 将將 电電 东東 义義 见見 "
    "头頭 车車 业業 为為 从從 认認 让讓 给給 机機 书書 门門 题題 语語 软軟 数數 据據 线線 网網 页頁 "
    "码碼 览覽 务務 环環 变變 类類 质質 设設 计計 显顯 识識"
).split()
SIMPLIFIED = frozenset(pair[0] for pair in _SCRIPT_PAIRS)
TRADITIONAL = frozenset(pair[1] for pair in _SCRIPT_PAIRS)
# Traditional only when the text says so plainly: enough telling characters, nearly all of them
# traditional. A short or mixed text is Simplified Chinese, the common case.
_TRADITIONAL_AT_LEAST = 10
_TRADITIONAL_SHARE = 0.9

_KANA_OR_HANGUL = re.compile("[\u3040-\u30ff\uac00-\ud7af]")


_CODE = re.compile(r"<(pre|code)\b[^>]*+>.*?</\1>", re.IGNORECASE | re.DOTALL)


def language_of_text(html: str) -> str:
    """The language code a rendered body is written in, as far as its script tells, or "" (the
    site's default). A body whose prose (code left out) is mostly CJK — each CJK character
    counted as a word, as reading times count — is Chinese (Japanese or Korean when kana or
    hangul are a fifth of it); Traditional Chinese only when its characters say so reliably,
    otherwise Simplified."""
    text = plain_text(_CODE.sub(" ", html))
    cjk = CJK_CHARACTER.findall(text)
    words = len(CJK_CHARACTER.sub(" ", text).split())
    if not cjk or len(cjk) < words:
        return ""
    kana_or_hangul = [c for c in cjk if _KANA_OR_HANGUL.match(c)]
    if len(kana_or_hangul) * 5 >= len(cjk):  # Japanese mixes kana into its kanji; Korean is hangul
        kana = sum(1 for c in kana_or_hangul if c <= "\u30ff")
        return "ja" if kana * 2 >= len(kana_or_hangul) else "ko"
    traditional = sum(1 for c in cjk if c in TRADITIONAL)
    simplified = sum(1 for c in cjk if c in SIMPLIFIED)
    if traditional >= _TRADITIONAL_AT_LEAST and traditional >= _TRADITIONAL_SHARE * (traditional + simplified):
        return "zh-hant"
    return "zh-hans"


def language_tag(code: str) -> str:
    """`code` as a BCP 47 tag for `lang` attributes and `inLanguage` (imported files write
    `zh_cn`; the underscore is not valid there); the site's language when empty."""
    return (code or settings.LANGUAGE_CODE).strip().replace("_", "-").lower()


# Languages Django's own table names only by region or script.
_NATIVE_NAMES = {"zh": "中文"}


def native_name(code: str) -> str:
    """A language's name in that language ("English", "简体中文"), as a language switcher
    offers it to readers who may not read the page's; the tag itself when Django has no name."""
    tag = language_tag(code)
    primary = tag.split("-")[0]
    for candidate in (tag, primary):
        try:
            return capfirst(get_language_info(candidate)["name_local"])
        except KeyError:
            continue
    return _NATIVE_NAMES.get(primary, tag)


# Every code Django knows a language by (`zh-hans`, `pt-br`, `en`): what a folder or a file
# name must be to name a language (`language_in_name`).
_KNOWN = frozenset(code for code, _ in global_settings.LANGUAGES) | {"zh"}
_REGION = re.compile(r"[a-z]{2}|hans|hant")


def language_in_name(name: str) -> bool:
    """Whether a folder or file-name part names a language: Hugo's `content/zh/`, `post.zh-cn.md`,
    ruby-lang's `zh_cn/`. A Django language code or one with a region, case and `_` aside."""
    tag = name.replace("_", "-").lower()
    primary, _, region = tag.partition("-")
    return tag in _KNOWN or (primary in _KNOWN and bool(_REGION.fullmatch(region)))


_TRADITIONAL_REGIONS = {"hant", "tw", "hk", "mo"}
GOOGLE_NEWS_LANGUAGE = re.compile(r"zh-cn|zh-tw|[a-z]{2,3}")  # sitemap-news.xsd's <news:language>


def news_sitemap_language(code: str) -> str:
    """`code` as Google News sitemaps want it: an ISO 639 code (`en-us` is `en`), except Chinese,
    which is `zh-cn` (Simplified) or `zh-tw` (Traditional)."""
    primary, *subtags = language_tag(code).split("-")
    if primary == "zh":
        return "zh-tw" if _TRADITIONAL_REGIONS.intersection(subtags) else "zh-cn"
    if GOOGLE_NEWS_LANGUAGE.fullmatch(primary):
        return primary
    return (
        news_sitemap_language(settings.LANGUAGE_CODE) if code and code != settings.LANGUAGE_CODE else "en"
    )  # the site's


def language_choices(current: str = "") -> list[tuple[str, str]]:
    """What an editor picks an article's language from: the site's default (empty), Django's
    languages (named in the interface's language by Django's own catalogues), and the article's
    current code when it is none of those (an imported `zh_cn`)."""
    choices = [("", gettext("The site's language (%(code)s)") % {"code": settings.LANGUAGE_CODE})]
    known = [(code, gettext_lazy(name)) for code, name in global_settings.LANGUAGES]
    if settings.LANGUAGE_CODE not in dict(known):
        known.insert(0, (settings.LANGUAGE_CODE, settings.LANGUAGE_CODE))
    if current and current not in dict(known):
        known.insert(0, (current, current))
    return choices + known
