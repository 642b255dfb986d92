"""Vietnamese search keys: diacritics, case, đ, abbreviations of organisation kinds."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from htxso.core.text import quick_search_key, search_key, search_terms, strip_diacritics

# --- diacritics, case, đ --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Chè Tân Cương", "che tan cuong"),
        ("CHÈ TÂN CƯƠNG", "che tan cuong"),
        ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("Đắk Lắk", "dak lak"),
        ("ĐỒNG THÁP", "dong thap"),
        ("đường Điện Biên Phủ", "duong dien bien phu"),
        ("Nguyễn Thị Ánh Tuyết", "nguyen thi anh tuyet"),
        ("Hưng Yên", "hung yen"),
        ("Ơ Ư Ă Â Ê Ô", "o u a a e o"),
        ("ỹ ỵ ỷ ỳ ý", "y y y y y"),
    ],
)
def test_search_key_ignores_diacritics_and_case(text, key):
    assert search_key(text) == key


def test_d_with_stroke_is_mapped_explicitly():
    # NFD leaves đ/Đ whole (they are letters, not a d plus a mark).
    assert unicodedata.normalize("NFD", "đ") == "đ"
    assert strip_diacritics("Đà Nẵng đẹp") == "Da Nang dep"
    assert search_key("Đ") == "d"
    assert search_key("đ") == "d"


def test_strip_diacritics_keeps_case_and_punctuation():
    assert strip_diacritics("HTX Chè, Tân Cương!") == "HTX Che, Tan Cuong!"


def test_nfc_and_nfd_input_give_the_same_key():
    text = "Hợp tác xã Nông nghiệp Đồng Tâm – Thủy sản Bạc Liêu"
    nfc = unicodedata.normalize("NFC", text)
    nfd = unicodedata.normalize("NFD", text)
    assert nfc != nfd
    assert search_key(nfc) == search_key(nfd)
    assert search_key(nfd) == "htx nong nghiep dong tam thuy san bac lieu"


@pytest.mark.parametrize("text", ["", None, "   ", "\t\n", "!!!", "...,;:", "“”‘’"])
def test_empty_or_punctuation_only_gives_empty_key(text):
    assert search_key(text) == ""


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("HTX Chè (Tân Cương), Thái Nguyên.", "htx che tan cuong thai nguyen"),
        ("Công ty “Hoa Sen” & Cộng sự!", "cong ty hoa sen cong su"),
        ("Số 12/3, ấp Bình Minh; xã An Phú?", "so 12 3 ap binh minh xa an phu"),
        ("  nhiều    khoảng \t trắng \n ", "nhieu khoang trang"),
    ],
)
def test_punctuation_is_removed_and_spaces_collapsed(text, key):
    assert search_key(text) == key


def test_hyphen_is_punctuation_too():
    assert search_key("Bà Rịa - Vũng Tàu") == "ba ria vung tau"
    assert search_key("Bà Rịa-Vũng Tàu") == search_key("Bà Rịa Vũng Tàu")
    assert "-" not in search_terms("HTX Bà Rịa - Vũng Tàu")


# --- abbreviations of organisation kinds ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Hợp tác xã Chè Tân Cương", "htx che tan cuong"),
        ("HỢP TÁC XÃ chè", "htx che"),
        ("Liên hiệp hợp tác xã Thương mại TP.HCM", "lhhtx thuong mai tp hcm"),
        ("Liên hiệp HTX Nông nghiệp", "lhhtx nong nghiep"),
        ("Tổ hợp tác Rau an toàn", "tht rau an toan"),
        ("Hộ kinh doanh Nguyễn Văn A", "hkd nguyen van a"),
        ("Thành viên hợp tác xã", "thanh vien htx"),  # at the end
        ("Chè, hợp tác xã, Thái Nguyên", "che htx thai nguyen"),  # between punctuation
    ],
)
def test_kind_phrases_are_folded(text, key):
    assert search_key(text) == key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hợp tác xãx", "hop tac xax"),
        ("ahợp tác xã", "ahop tac xa"),
        ("hợp tác", "hop tac"),
        ("tổ hợp tácx", "to hop tacx"),
        ("hộ kinh doanhs", "ho kinh doanhs"),
        ("hộ kinh", "ho kinh"),
        ("liên hiệp", "lien hiep"),
        ("hợptácxã", "hoptacxa"),
    ],
)
def test_kind_phrases_fold_only_as_whole_words(text, key):
    assert search_key(text) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("HTX Chè Tân Cương", "hop tac xa che tan cuong"),
        ("Hợp tác xã Chè Tân Cương", "htx che tan cuong"),
        ("LHHTX Thương mại", "Liên hiệp hợp tác xã thương mại"),
        ("Liên hiệp HTX Thương mại", "lien hiep hop tac xa thuong mai"),
        ("THT Rau sạch", "to hop tac rau sach"),
        ("HKD Bánh mì", "ho kinh doanh banh mi"),
    ],
)
def test_abbreviated_and_spelled_out_kinds_give_the_same_key(a, b):
    assert search_key(a) == search_key(b)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Hợp tác xã Hợp tác xã Tân Cương", "htx htx tan cuong"),
        ("hộ kinh doanh hộ kinh doanh", "hkd hkd"),
        ("Tổ hợp tác tổ hợp tác", "tht tht"),
    ],
)
def test_repeated_kind_phrase_is_folded_every_time(text, key):
    assert search_key(text) == key
    assert search_key(search_key(text)) == search_key(text)


# --- search_terms ---------------------------------------------------------------------------


def test_search_terms_are_distinct_keys_in_order():
    assert search_terms("Chè chè CHÈ Tân Cương tân") == ["che", "tan", "cuong"]


def test_search_terms_fold_kind_phrases_before_splitting():
    assert search_terms("Hợp tác xã chè HTX") == ["htx", "che"]
    assert search_terms("HTX Chè Tân Cương") == search_terms("hop tac xa che tan cuong")


@pytest.mark.parametrize("query", ["", None, "  ", "?!"])
def test_search_terms_of_nothing_is_empty(query):
    assert search_terms(query) == []


# --- properties over Vietnamese text --------------------------------------------------------

# The 29 letters of the Vietnamese alphabet (plus f j w z, used in loan words), both cases.
_LETTERS = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_VOWELS = set("aăâeêioôơuưy")
# grave, acute, tilde, hook above, dot below
_TONES = ["", "\u0300", "\u0301", "\u0303", "\u0309", "\u0323"]


@st.composite
def _vietnamese_letter(draw):
    letter = draw(st.sampled_from(_LETTERS))
    if letter in _VOWELS:
        letter += draw(st.sampled_from(_TONES))
    if draw(st.booleans()):
        letter = letter.upper()
    return unicodedata.normalize("NFC", letter)


_word = st.lists(_vietnamese_letter(), min_size=1, max_size=7).map("".join)
_separator = st.sampled_from([" ", "  ", "\t", ", ", ". ", " (", ") ", "\n", "; "])


@st.composite
def vietnamese_text(draw):
    words = draw(st.lists(_word, min_size=0, max_size=8))
    parts = []
    for word in words:
        parts.append(word)
        parts.append(draw(_separator))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(vietnamese_text())
def test_search_key_is_ascii_lowercase_single_spaced(text):
    key = search_key(text)
    assert key.isascii()
    assert key == key.lower()
    assert key == key.strip()
    assert "  " not in key
    assert all(ch.isalnum() or ch == " " for ch in key)


@settings(max_examples=300, deadline=None)
@given(vietnamese_text())
def test_search_key_is_idempotent(text):
    key = search_key(text)
    assert search_key(key) == key


@settings(max_examples=200, deadline=None)
@given(vietnamese_text())
def test_search_key_ignores_case_and_normalisation_form(text):
    key = search_key(text)
    assert search_key(text.upper()) == key
    assert search_key(text.lower()) == key
    assert search_key(unicodedata.normalize("NFD", text)) == key


@settings(max_examples=200, deadline=None)
@given(vietnamese_text())
def test_search_terms_are_the_distinct_words_of_the_key(text):
    terms = search_terms(text)
    words = search_key(text).split()
    assert terms == list(dict.fromkeys(words))
    assert len(terms) == len(set(terms))


NAMES = [
    "Hợp tác xã Chè Tân Cương",
    "HỢP TÁC XÃ  NÔNG NGHIỆP ĐỒNG TÂM ",
    "Liên hiệp Hợp tác xã Dịch vụ Ẩm thực Đà Nẵng",
    "LIÊN HIỆP HTX vận tải-du lịch (Sài Gòn)",
    "Tổ hợp tác rau_sạch số 5/2024",
    "hộ kinh doanh Bánh Chưng Ước Lễ",
    "HTX hop tac xa hop tac xa",
    "Ỷ Lan & Cộng sự; 'Ơn' \"Ưng\"",
    "   ",
    "a  b   c",
    "ỐỒỔỖỘ ớờởỡợ ỨỪỬỮỰ ýỳỷỹỵ Đđ",
]


def test_the_quick_search_key_is_the_search_key():
    """The organisation import computes new names' keys with `quick_search_key` (#17): the
    same keys as `search_key`, inside its alphabet and out of it."""
    for name in [*NAMES, "Straße", "Tab\there", "Cafe\u0301", "\u00a0x", "ǅ", "x_y", ""]:
        assert quick_search_key(name) == search_key(name), name
        assert quick_search_key(name.upper()) == search_key(name.upper()), name


@settings(max_examples=300, deadline=None)
@given(st.one_of(vietnamese_text(), st.text(max_size=40)))
def test_the_quick_search_key_agrees_on_any_text(text):
    assert quick_search_key(text) == search_key(text)
