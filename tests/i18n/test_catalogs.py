"""The translation catalogs are complete (issue 13): every msgid of the project has a translation in zh_Hant and
sv, none is fuzzy, and each translation keeps its msgid's placeholders (names, types and count).

``bash scripts/makemessages.sh --check`` (CI stage 1) shows the catalogs hold every msgid of the code."""

import re
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = {"zh_Hant": 1, "sv": 2}  # plural forms per language
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdrif]|%[sdrif]|\{\w*\}")


def placeholders(text: str) -> Counter:
    return Counter(match.group(0) for match in PLACEHOLDER.finditer(text))


def catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_msgid_is_translated_and_none_is_fuzzy(language):
    po = catalog(language)
    assert len(po) > 1000
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_translations_keep_the_placeholders_of_their_msgid(language):
    wrong = []
    for entry in catalog(language):
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            assert sorted(forms) == list(range(LANGUAGES[language])), entry.msgid
            # the last form is the "many" form: exactly the plural's placeholders; a singular may spell out "1"
            if placeholders(forms[max(forms)]) != placeholders(entry.msgid_plural):
                wrong.append(entry.msgid_plural)
            allowed = set(placeholders(entry.msgid) | placeholders(entry.msgid_plural))
            if any(set(placeholders(text)) - allowed for text in forms.values()):
                wrong.append(entry.msgid)
        elif placeholders(entry.msgstr) != placeholders(entry.msgid):
            wrong.append(entry.msgid)
    assert wrong == []


def test_the_plural_rules_are_the_languages_own():
    assert catalog("zh_Hant").metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert catalog("sv").metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_the_placeholder_check_sees_a_dropped_or_renamed_placeholder():
    assert placeholders("%(count)d seats of %(offer)s") == placeholders("%(offer)s：%(count)d 個基座")
    assert placeholders("%(count)d seats") != placeholders("%(number)d platser")
    assert placeholders("%(count)d seats") != placeholders("platser")
