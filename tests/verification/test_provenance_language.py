"""The rules' provenance notes, stored in English in the decision, read in the reader's language (#10 item 10)."""

from django.utils import translation

from jiliang.verification.rules.conformity import UNVERIFIED_POINTS_NOTE, UNVERIFIED_SOURCE_NOTE
from jiliang.verification.templatetags.provenance import provenance_note

BAND = (f"test point '500e': MPE band (500e, 2000e] {UNVERIFIED_SOURCE_NOTE} "
        "(value M, use in JJG539-2016 V1, stage M)")
POINTS = f"the required test points of JJG539-2016 {UNVERIFIED_POINTS_NOTE}"


def test_notes_of_the_engine_read_in_chinese_and_english():
    with translation.override("zh-hans"):
        assert provenance_note(BAND) == ("检定点 500e：最大允许误差区间 (500e, 2000e] 的依据来源未经核实（M）（数值 M，"
                                         "在 JJG539-2016 中的适用 V1，检定阶段 M）")
        assert provenance_note(POINTS) == "JJG539-2016 的必检点标记为 M（参考资料中未载）"
        assert provenance_note("手写的说明") == "手写的说明"  # another shape: as stored
    with translation.override("en"):
        assert "rests on an unverified (M) source" in provenance_note(BAND)
        assert provenance_note(POINTS) == "the required test points of JJG539-2016 are marked M (not in the reference)"
