"""The walk harness catches what it promises to catch: the pieces of its
"untranslated" rule (the browser checks are in test_walk_browser.py)."""

from __future__ import annotations

from typing import Any

from onewindow.core.walk import english_words, po_entries, python_literal_runs, template_literal_text, ui_chinese


def test_english_words_leave_addresses_file_names_and_abbreviations_alone() -> None:
    assert english_words("请上传 合同.pdf，或访问 https://qy.gov.cn/x?a=b，邮箱 a.b@qq.com，PDF QR ID") == []
    assert english_words("提交 Submit 或 pending") == ["Submit", "pending"]
    assert english_words("第3号 A012 No，拼音首字母 bdc") == []  # short words, ticket numbers, initials pass


def test_template_literal_text_drops_translated_strings_tags_and_comments() -> None:
    source = (
        '{% load i18n %}<h1>{% translate "工作台" %}</h1>{# 注释文字 #}<p title="未翻译提示">待办事项</p>'
        '{% blocktranslate %}共 {{ n }} 件事项{% endblocktranslate %}<button lang="zh-CN">中文</button>{{ case.title }}'
    )
    text = template_literal_text(source)
    assert "待办事项" in text and "未翻译提示" in text
    assert "工作台" not in text and "注释文字" not in text and "件事项" not in text and "中文" not in text


def test_python_literal_runs_skip_translation_calls_and_docstrings() -> None:
    source = '"""模块说明"""\nfrom x import _\nA = _("已翻译")\nB = "未标记的界面文字"\n'
    assert python_literal_runs(source) == {"未标记的界面文字"}


def test_ui_chinese_holds_catalog_strings_but_no_personal_names(db: Any) -> None:
    ui = ui_chinese()
    assert "工作台" in ui and "待受理" in ui
    assert "刘秀英" not in ui and "赖春生" not in ui


def test_po_entries_read_continued_escaped_and_plural_entries() -> None:
    source = 'msgid ""\nmsgstr ""\n"Language: en\\n"\n\nmsgid "甲"\n"乙\\"丙"\nmsgstr "A"\n"B"\n\nmsgid "件"\nmsgid_plural "件"\nmsgstr[0] "case"\nmsgstr[1] "cases"\n'
    assert po_entries(source) == [('甲乙"丙', "AB"), ("件", "case")]


def test_chinese_a_translator_kept_in_english_text_is_not_flagged(db: Any) -> None:
    # catalog: "事项名称、拼音或首字母，如：不动产、bdc" -> "Matter name, pinyin or initials, e.g. 不动产 or bdc"
    assert "不动产" not in ui_chinese() and "拼音或首字母" in ui_chinese()
