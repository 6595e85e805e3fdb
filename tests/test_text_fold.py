"""`fold` (search and sort keys without diacritics): the fast path gives what the definition gives; page titles."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from site_builder.website.text import fold, natural_key, page_title


def folded_by_definition(text: str) -> str:
    """Lower case, decomposed, đ -> d, every nonspacing mark (category Mn) removed."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


@settings(max_examples=3000, deadline=None)
@given(st.text())
@example("Trường THCS Nguyễn Văn Trỗi – Phường Tân Định")
@example("ĐẶNG THỊ Ừ ổ ỡ ự ạ ặ ậ")
@example("x\u0301\u05b0\u0610y")  # marks outside the Latin block: Hebrew, Arabic
@example("Ελληνικά ά")
def test_fold_is_its_definition(text):
    assert fold(text) == folded_by_definition(text)


def test_fold_compares_names_as_a_reader_expects():
    assert fold("Tân Định") == fold("tan dinh") == "tan dinh"
    assert fold("TRƯỜNG THCS Lê Quý Đôn") == "truong thcs le quy don"
    assert sorted(["Quận 10", "quận 3", "Quận 1"], key=natural_key) == ["Quận 1", "quận 3", "Quận 10"]


@pytest.mark.parametrize(
    "name, limit, expected",
    [
        ("Phòng Giáo dục và Đào tạo Quận 1", 70, "Phòng GD&ĐT Quận 1 — 2023-2024"),
        ("Trường TRUNG HỌC CƠ SỞ Lê Lợi", 70, "Trường THCS Lê Lợi — 2023-2024"),
        (
            "Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên Quận 5",
            70,
            "Trung tâm GDNN - GDTX Quận 5 — 2023-2024",
        ),
        ("Phòng Văn hóa – Xã hội phường Tân Định", 70, "Phòng VH-XH phường Tân Định — 2023-2024"),
        (
            "Trường Trung học phổ thông chuyên Lê Hồng Phong thành phố Hồ Chí Minh",
            40,
            "Trường THPT chuyên Lê Hồng… — 2023-2024",
        ),
    ],
)
def test_a_page_title_abbreviates_the_names_offices_abbreviate_and_fits_its_limit(name, limit, expected):
    title = page_title(name, "Năm học 2023 - 2024", limit)
    assert title == expected and len(title) <= limit
