"""The HCMC demo: three school years of an HCMC-like Department, as a timeline of filings.

The demo is defined once, as events in time order (a maintainer's setup commit, a unit's pull
request made in GitHub's web editor and merged by a reviewer, a fast-forward of unsigned commits).
The bundled files (`submissions/`) are the result of applying every event; the demo history
(`demo_history.py`) replays the same events as git commits. So the two cannot disagree.

Who is in it:

* 2020-2021 and 2023-2024 (before July 2025): the 22 real district-level offices of HCMC (Phòng
  GD&ĐT, reviewed by the Department), invented THCS schools under five of them (reviewed by their
  office), invented THPT schools and GDTX centres under the Department. The share of each office's
  schools meeting criterion 3.2 is designed so that the derived district item 4.2 lands in every band.
* 2025-2026 (two-tier local government): no district offices; the THCS schools report through
  commune-level offices (Phòng Văn hoá – Xã hội of a ward or commune, named after the 2025 ward
  mergers and labelled "(minh hoạ)"), THPT schools and GDTX centres directly to the Department.
  One school is new (two schools merged into it), one closed, one centre renamed.

What happens, each year (`DESIGNED` names the unit of each designed case): filings on time and
late, a few missing; a self-assessment proposed before the deadline and merged after it (on time:
a reviewer's delay does not count); a stub filed before the deadline and completed after it (late,
with the late criteria); a file proposed before the window opens; a milestone report replaced after
its due date; and a unit whose file reaches main by a fast-forward of unsigned commits with forged
early dates (it counts from the next time GitHub vouches for, not from the forged date).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from pathlib import Path

from datagen import (
    CONG_KHAI,
    DEPARTMENT_ID,
    PDF,
    REPO_ROOT,
    REPORTS_FOLDER,
    Criterion,
    Milestone,
    RegistryFile,
    Review,
    Submission,
    Unit,
    ascii_text,
    band_of,
    link_evidence,
    load_criteria,
    load_period,
    minimal_pdf,
    render_organization,
    render_registry,
    render_review,
    render_submission,
    report_path,
    slugify,
    submission_path,
    unit_folder,
    written_criteria,
)

PERIODS = ("2020-2021", "2023-2024", "2025-2026")
DEMO_SEED = "hcmc-demo-v2"
VN = datetime.timezone(datetime.timedelta(hours=7))
KEY_DIR = Path(__file__).resolve().parent / "demo-key"
KEY_NAME = "minh-hoa"
REPOSITORY = "https://github.com/so-gddt-minh-hoa/danh-gia-cntt"
MAINTAINER = "sgd-demo-admin"
DEPARTMENT_REVIEWERS = ["sgd-demo-reviewer", "sgd-demo-reviewer-2"]

# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------

# The 22 district-level units of HCMC before July 2025: (id suffix, district name).
HCMC_DISTRICTS = [
    ("quan-1", "Quận 1"),
    ("quan-3", "Quận 3"),
    ("quan-4", "Quận 4"),
    ("quan-5", "Quận 5"),
    ("quan-6", "Quận 6"),
    ("quan-7", "Quận 7"),
    ("quan-8", "Quận 8"),
    ("quan-10", "Quận 10"),
    ("quan-11", "Quận 11"),
    ("quan-12", "Quận 12"),
    ("binh-thanh", "Quận Bình Thạnh"),
    ("go-vap", "Quận Gò Vấp"),
    ("phu-nhuan", "Quận Phú Nhuận"),
    ("tan-binh", "Quận Tân Bình"),
    ("tan-phu", "Quận Tân Phú"),
    ("binh-tan", "Quận Bình Tân"),
    ("thu-duc", "Thành phố Thủ Đức"),
    ("binh-chanh", "Huyện Bình Chánh"),
    ("can-gio", "Huyện Cần Giờ"),
    ("cu-chi", "Huyện Củ Chi"),
    ("hoc-mon", "Huyện Hóc Môn"),
    ("nha-be", "Huyện Nhà Bè"),
]

# Offices whose THCS schools are registered (invented school names), and how many of them have
# their portal integrated (criterion 3.2 met) per year: district 4.2 then falls in every band.
DEMO_THCS = {
    "pgd-quan-1": (
        ["Tân Định", "Đa Kao", "Bến Nghé", "Cầu Kho", "Cô Giang", "Nguyễn Cư Trinh", "Cầu Ông Lãnh", "Phạm Ngũ Lão"],
        {"2020-2021": 6, "2023-2024": 8},
    ),
    "pgd-binh-thanh": (
        ["Thanh Đa", "Bình Quới", "Hàng Xanh", "Văn Thánh", "Cầu Sơn"],
        {"2020-2021": 5, "2023-2024": 4},
    ),
    "pgd-go-vap": (
        ["An Nhơn", "Hạnh Thông", "Xóm Mới", "Thông Tây Hội", "Lam Sơn", "Cây Trâm", "Chợ Cầu"],
        {"2020-2021": 4, "2023-2024": 5},
    ),
    "pgd-tan-binh": (
        ["Bảy Hiền", "Bàu Cát", "Ông Tạ", "Cộng Hoà", "Hoàng Hoa", "Sân Bay"],
        {"2020-2021": 5, "2023-2024": 4},
    ),
    "pgd-cu-chi": (["Tân Thông Hội", "Phước Vĩnh An", "Trung Lập", "An Nhơn Tây"], {"2020-2021": 2, "2023-2024": 2}),
}

# 2025-2026: commune-level offices and the THCS they oversee: (kind, ward or commune, schools).
# Ward names follow the 2025 mergers of the old districts; the offices are illustrations.
WARDS_2025 = [
    ("phường", "Tân Định", ["Tân Định", "Đa Kao"]),
    ("phường", "Sài Gòn", ["Bến Nghé"]),
    ("phường", "Cầu Ông Lãnh", ["Cầu Ông Lãnh", "Cầu Kho", "Cô Giang"]),
    ("phường", "Bến Thành", ["Bến Thành"]),
    ("phường", "Bình Quới", ["Thanh Đa", "Bình Quới"]),
    ("phường", "Thạnh Mỹ Tây", ["Hàng Xanh", "Văn Thánh"]),
    ("phường", "An Nhơn", ["An Nhơn", "Xóm Mới"]),
    ("phường", "Hạnh Thông", ["Hạnh Thông", "Lam Sơn"]),
    ("phường", "Thông Tây Hội", ["Thông Tây Hội", "Cây Trâm", "Chợ Cầu"]),
    ("phường", "Bảy Hiền", ["Bảy Hiền", "Hoàng Hoa"]),
    ("phường", "Tân Bình", ["Bàu Cát", "Ông Tạ"]),
    ("phường", "Tân Sơn Nhất", ["Cộng Hoà", "Sân Bay"]),
    ("xã", "Tân An Hội", ["Tân Thông Hội", "Phước Vĩnh An"]),
    ("xã", "An Nhơn Tây", ["Trung Lập", "An Nhơn Tây"]),
]
MERGED_SCHOOL = ("Bến Thành", ["Phạm Ngũ Lão", "Nguyễn Cư Trinh"])  # 2025-2026: new school, two merged into it
CLOSED_SCHOOL = "thcs-demo-cau-son"  # last year 2023-2024
RENAMED_UNIT = ("gdtx-demo-quan-5", "Trung tâm GDTX Demo Chợ Lớn")  # 2025-2026 name
BODY_CHANGED = "thcs-demo-tan-dinh"  # pgd-quan-1 -> vhxh-phuong-tan-dinh

# Invented upper-secondary schools under the Department: (name part, level, district, 2025 ward).
DEMO_THPT = [
    ("Nguyễn Du", "THPT", "Quận 10", "Phường Diên Hồng"),
    ("Trần Hưng Đạo", "THPT", "Quận Gò Vấp", "Phường Gò Vấp"),
    ("Lê Lợi", "THPT", "Quận 3", "Phường Xuân Hoà"),
    ("Quang Trung", "THPT", "Huyện Củ Chi", "Xã Củ Chi"),
    ("Hai Bà Trưng", "THPT", "Quận 5", "Phường Chợ Quán"),
    ("Lý Thường Kiệt", "THPT", "Huyện Hóc Môn", "Xã Hóc Môn"),
    ("Nguyễn Trãi", "THPT", "Quận 4", "Phường Khánh Hội"),
    ("Võ Thị Sáu", "THPT", "Quận Bình Thạnh", "Phường Gia Định"),
    ("Phan Bội Châu", "THPT", "Quận 8", "Phường Chánh Hưng"),
    ("Nguyễn Đình Chiểu", "THPT", "Quận 6", "Phường Bình Tây"),
    ("Lương Thế Vinh", "THPT", "Quận 1", "Phường Cầu Ông Lãnh"),
    ("Trưng Vương", "THPT", "Quận 1", "Phường Sài Gòn"),
    ("Ngô Quyền", "THPT", "Quận 7", "Phường Tân Thuận"),
    ("Hùng Vương", "THPT", "Quận 5", "Phường Chợ Lớn"),
    ("Bùi Thị Xuân", "THPT", "Quận 1", "Phường Bến Thành"),
    ("Lê Quý Đôn", "THPT", "Quận 3", "Phường Xuân Hoà"),
    ("Trần Phú", "THPT", "Quận Tân Phú", "Phường Tân Sơn Nhì"),
    ("Hoàng Hoa Thám", "THPT", "Quận Bình Thạnh", "Phường Bình Thạnh"),
    ("Bình Chánh", "THPT", "Huyện Bình Chánh", "Xã Bình Chánh"),
    ("Cần Thạnh", "THPT", "Huyện Cần Giờ", "Xã Cần Giờ"),
    ("Sao Mai", "Nhiều cấp học", "Quận Tân Bình", "Phường Tân Sơn Hoà"),
    ("Bình Minh", "Nhiều cấp học", "Quận 12", "Phường Trung Mỹ Tây"),
    ("Thủ Thiêm", "THPT", "Thành phố Thủ Đức", "Phường An Khánh"),
]
NEW_SCHOOL = "thpt-demo-thu-thiem"  # first year 2023-2024
CLOSED_UNIT = "gdtx-demo-quan-4"  # only 2020-2021
REVIEWER_OVERRIDE_UNIT = "thpt-demo-le-quy-don"  # reviewed by one Department reviewer only
DEMO_GDTX = [
    ("quan-5", "Quận 5", "Phường Chợ Lớn"),
    ("quan-10", "Quận 10", "Phường Diên Hồng"),
    ("thu-duc", "Thành phố Thủ Đức", "Phường Thủ Đức"),
    ("hoc-mon", "Huyện Hóc Môn", "Xã Hóc Môn"),
    ("tan-phu", "Quận Tân Phú", "Phường Tân Phú"),
    ("quan-4", "Quận 4", "Phường Khánh Hội"),
]

# The designed cases of each year: case -> unit id ("replaced": (unit id, milestone id)).
DESIGNED = {
    "2020-2021": {
        "before-opens": "thpt-demo-nguyen-du",
        "reviewer-delay": "thcs-demo-ben-nghe",
        "stub": "thpt-demo-tran-phu",
        "forged": "gdtx-demo-hoc-mon",
        "replaced": ("pgd-go-vap", "ke-hoach"),
    },
    "2023-2024": {
        "before-opens": "thpt-demo-le-loi",
        "reviewer-delay": "thcs-demo-hanh-thong",
        "stub": "thpt-demo-hung-vuong",
        "forged": "thcs-demo-bay-hien",
        "replaced": ("thpt-demo-ngo-quyen", "ke-hoach"),
        "claims-without-plan": "thpt-demo-nguyen-dinh-chieu",
    },
    "2025-2026": {
        "before-opens": "thcs-demo-tan-dinh",
        "reviewer-delay": "thpt-demo-thu-thiem",
        "stub": "thcs-demo-an-nhon",
        "forged": "thpt-demo-bui-thi-xuan",
        "replaced": ("gdtx-demo-quan-5", "ke-hoach"),
    },
}
SA_CASES = ("before-opens", "reviewer-delay", "stub", "forged")


def thcs_id(name: str) -> str:
    return f"thcs-demo-{slugify(name)}"


def editors_for(unit_id: str, period: str, index: int) -> list[str]:
    """Invented GitHub handles of the people who may edit the unit's files that year. A second
    editor joins some units from 2023-2024; some units have a new editor in 2025-2026."""
    editors = [f"{unit_id}-editor"]
    if period >= "2023-2024" and index % 4 == 0:
        editors.append(f"{unit_id}-editor-2")
    if period >= "2025-2026" and index % 5 == 2:
        editors[0] = f"{unit_id}-editor-3"
    return editors


def ward_body(kind: str, ward: str) -> str:
    return f"vhxh-{slugify(kind)}-{slugify(ward)}"


def demo_registries(period: str) -> dict[str, RegistryFile]:
    """The registry of one year: one file per reviewing body."""
    department = RegistryFile(period, DEPARTMENT_ID, DEPARTMENT_REVIEWERS, [])
    registries = {DEPARTMENT_ID: department}
    two_tier = period >= "2025-2026"
    if not two_tier:
        for n, (suffix, district) in enumerate(HCMC_DISTRICTS):
            unit_id = f"pgd-{suffix}"
            department.units.append(
                Unit(
                    unit_id,
                    f"Phòng Giáo dục và Đào tạo {district}",
                    "phong-gddt",
                    DEPARTMENT_ID,
                    district,
                    editors=editors_for(unit_id, period, n + 1),
                )
            )
    for n, (part, level, district, ward) in enumerate(DEMO_THPT):
        prefix, title = ("thpt", "Trường THPT") if level == "THPT" else ("pt", "Trường THCS và THPT")
        unit_id = f"{prefix}-demo-{slugify(part)}"
        if unit_id == NEW_SCHOOL and period < "2023-2024":
            continue
        department.units.append(
            Unit(
                unit_id,
                f"{title} Demo {part}",
                "truong-pho-thong",
                DEPARTMENT_ID,
                ward if two_tier else district,
                level,
                editors_for(unit_id, period, n),
                ["sgd-demo-reviewer-2"] if unit_id == REVIEWER_OVERRIDE_UNIT else None,
            )
        )
    for n, (suffix, district, ward) in enumerate(DEMO_GDTX):
        unit_id = f"gdtx-demo-{suffix}"
        if unit_id == CLOSED_UNIT and period > "2020-2021":
            continue
        name = RENAMED_UNIT[1] if two_tier and unit_id == RENAMED_UNIT[0] else f"Trung tâm GDTX Demo {district}"
        department.units.append(
            Unit(
                unit_id,
                name,
                "trung-tam-gdtx",
                DEPARTMENT_ID,
                ward if two_tier else district,
                editors=editors_for(unit_id, period, n + 2),
            )
        )
    if not two_tier:
        districts = {f"pgd-{suffix}": name for suffix, name in HCMC_DISTRICTS}
        for office_id, (schools, _) in DEMO_THCS.items():
            registries[office_id] = RegistryFile(
                period,
                office_id,
                [f"{office_id}-reviewer"],
                [
                    Unit(
                        thcs_id(school),
                        f"Trường THCS Demo {school}",
                        "truong-pho-thong",
                        office_id,
                        districts[office_id],
                        "THCS",
                        editors_for(thcs_id(school), period, n),
                    )
                    for n, school in enumerate(schools)
                ],
            )
        return registries
    index_in_office = {s: n for schools, _ in DEMO_THCS.values() for n, s in enumerate(schools)}
    for kind, ward, schools in WARDS_2025:
        body = ward_body(kind, ward)
        units = []
        for school in schools:
            unit_id = thcs_id(school)
            replaces = [thcs_id(old) for old in MERGED_SCHOOL[1]] if school == MERGED_SCHOOL[0] else []
            units.append(
                Unit(
                    unit_id,
                    f"Trường THCS Demo {school}",
                    "truong-pho-thong",
                    body,
                    f"{kind.capitalize()} {ward}",
                    "THCS",
                    editors_for(unit_id, period, index_in_office.get(school, 1)),
                    replaces=replaces,
                )
            )
        registries[body] = RegistryFile(
            period,
            body,
            [f"{body}-reviewer"],
            units,
            name=f"Phòng Văn hoá – Xã hội {kind} {ward} (minh hoạ)",
            parent=DEPARTMENT_ID,
        )
    return registries


def unit_reviewers(unit: Unit, registries: dict[str, RegistryFile]) -> list[str]:
    return unit.reviewers if unit.reviewers is not None else registries[unit.body].reviewers


# --------------------------------------------------------------------------------------------
# Wording
# --------------------------------------------------------------------------------------------

DECISION_FILE = "quyet-dinh-phan-cong.pdf"  # the unit's own evidence: decision assigning ICT duties
REPORT_NAMES = {
    "ke-hoach": ["ke-hoach-cntt.pdf", "ke-hoach-ung-dung-cntt-{period}.pdf", "kh-cntt-{period}.pdf"],
    "so-ket": ["bao-cao-so-ket.pdf", "bao-cao-so-ket-hoc-ky-1.pdf"],
    "tong-ket": ["bao-cao-tong-ket.pdf", "bao-cao-tong-ket-{period}.pdf"],
}
SCHOOL_NOTES = {
    "1.1": "100% cán bộ quản lý, giáo viên sử dụng được CNTT trong công tác.",
    "1.2": "Giáo viên sử dụng bài giảng điện tử, phần mềm mô phỏng, thí nghiệm ảo trong tiết dạy.",
    "1.3": "Tổ chức kiểm tra trắc nghiệm khách quan trên máy tính cho các khối lớp.",
    "1.4": "Khai thác hệ thống dạy học trực tuyến của đơn vị trong năm học.",
    "1.5": "Cán bộ quản lý, giáo viên hoàn thành các mô-đun bồi dưỡng trên mạng (GDPT 2018).",
    "2.1": "Đã phân công nhân sự cập nhật cơ sở dữ liệu ngành.",
    "2.2": "Cơ sở dữ liệu được cập nhật đầy đủ, chính xác, đúng thời hạn.",
    "2.3": "Sử dụng phần mềm quản lý trường học và sổ liên lạc điện tử với phụ huynh.",
    "2.4": "Sử dụng sổ điểm điện tử, học bạ điện tử; lưu trữ, sao in, niêm phong đúng quy định.",
    "3.1": "Cổng thông tin điện tử xây dựng theo văn bản số 4210/GDĐT-TTTT.",
    "3.2": "Cổng thông tin đã được tích hợp vào hệ thống hcm.edu.vn.",
    "3.3": "Đăng tải trên 40 tin bài trong năm học.",
    "3.4": "Có chuyên mục công khai theo Thông tư số 36/2017/TT-BGDĐT.",
    "3.5": "Có chuyên mục biểu mẫu: đơn xin nghỉ học, đơn phúc khảo, thông tin tuyển sinh đầu cấp.",
    "3.6": "Thực hiện báo cáo trực tuyến đầy đủ, đúng hạn.",
    "4.1": "Kế hoạch CNTT năm học đã gửi đúng hạn; tham dự đầy đủ các buổi tập huấn.",
    "4.2": "Có quyết định phân công lãnh đạo phụ trách và cán bộ quản trị hệ thống thông tin.",
    "4.3": "Internet cáp quang, phòng máy đáp ứng yêu cầu dạy học và quản lý.",
    "4.4": "Triển khai mô hình ứng dụng CNTT theo văn bản số 257/GDĐT-TTTT.",
}
NOTES = {
    "truong-pho-thong": SCHOOL_NOTES,
    "trung-tam-gdtx": {
        **SCHOOL_NOTES,
        "3.1": "Địa chỉ cổng thông tin điện tử của trung tâm.",
        "3.4": "Đường dẫn chuyên mục Công khai trên cổng thông tin của trung tâm.",
        "3.5": "Đường dẫn chuyên mục Thủ tục – Biểu mẫu trên cổng thông tin.",
    },
    "phong-gddt": {
        "1.1": "Kế hoạch CNTT năm học đã gửi Sở GD&ĐT đúng nội dung, thời hạn.",
        "1.2": "Có quyết định phân công lãnh đạo phụ trách và cán bộ quản trị Cổng thông tin.",
        "1.3": "100% trường trên địa bàn kết nối Internet cáp quang.",
        "1.4": "Triển khai mô hình ứng dụng CNTT tại các trường trên địa bàn.",
        "2.1": "100% cán bộ quản lý, giáo viên trên địa bàn biết sử dụng CNTT.",
        "2.2": "Có văn bản hướng dẫn, theo dõi, thống kê việc sử dụng phần mềm dạy học.",
        "2.3": "Tổ chức khảo sát, kiểm tra trực tuyến cho học sinh theo quy định.",
        "2.4": "Cán bộ quản lý, giáo viên hoàn thành tập huấn trực tuyến chương trình GDPT 2018.",
        "3.1": "Phân công thu thập số liệu trên hệ thống quản lý dữ liệu ngành.",
        "3.2": "Chỉ đạo các đơn vị trực thuộc hoàn thành cơ sở dữ liệu đúng hạn.",
        "3.3": "Có quy định lưu trữ, sao in, niêm phong hồ sơ phục vụ kiểm tra, thanh tra.",
        "4.1": "Cổng thông tin của Phòng và các trường xây dựng theo văn bản số 4210/GDĐT-TTTT.",
        "4.3": "Đăng tải trên 40 tin bài, có chuyên mục công khai theo Thông tư số 36/2017/TT-BGDĐT.",
        "4.4": "Đăng tải đầy đủ thủ tục hành chính lĩnh vực giáo dục trong chuyên mục riêng.",
    },
}
COVID_NOTE = "Tổ chức dạy học trực tuyến trong thời gian học sinh tạm nghỉ học phòng, chống dịch COVID-19."
PARTIAL_NOTES = [
    "Một số nội dung chưa thực hiện thường xuyên.",
    "Tỷ lệ thực hiện chưa đạt 100%.",
    "Đơn vị đang tiếp tục hoàn thiện nội dung này.",
    "Minh chứng chưa đầy đủ, đang cập nhật thêm.",
]
ZERO_NOTE = "Đơn vị chưa triển khai nội dung này trong năm học."
NO_PLAN_NOTE = "Đơn vị chưa gửi kế hoạch CNTT của năm học."
PORTAL_CRITERION = "3.2"  # schools/centres: portal integrated in hcm.edu.vn; all-or-nothing in the demo
PORTAL_ZERO_NOTE = "Cổng thông tin chưa được tích hợp vào hệ thống hcm.edu.vn; đơn vị đang liên hệ Sở để chuyển đổi."
REVIEW_COMMENTS = [
    "Minh chứng chưa thể hiện đầy đủ nội dung của tiêu chí.",
    "Văn bản minh chứng thuộc năm học trước, đề nghị bổ sung văn bản của năm học này.",
]
SCHOOL_REVIEW_COMMENTS = {
    "1.2": "Kế hoạch chưa có nội dung theo dõi, thống kê việc sử dụng phần mềm dạy học.",
    "3.3": "Số tin bài đăng tải trong năm học chưa đạt 40 tin.",
    "3.4": "Chuyên mục công khai chưa cập nhật đủ nội dung theo Thông tư số 36/2017/TT-BGDĐT.",
    "4.2": "Quyết định phân công chưa nêu rõ người quản trị hệ thống thông tin.",
}
NO_PLAN_COMMENT = "Đơn vị chưa nộp kế hoạch CNTT của năm học nên tiêu chí này không được tính điểm."
AGREE_COMMENT = "Thống nhất với điểm tự chấm."
DISTRICT_SHARE_BANDS = [(90, 1.0), (80, 0.8), (70, 0.6), (60, 0.4), (0, 0.0)]  # district 4.2
RATING_BANDS = [(90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"), (0, "Yếu")]


def spaced(period: str) -> str:
    """ "2023 - 2024", as the Department writes a school year."""
    return period.replace("-", " - ")


def lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# --------------------------------------------------------------------------------------------
# Plans: what each unit does in a year, decided before any file is written
# --------------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def some_time(rng: random.Random, day: datetime.date, first: int = 7, last: int = 20) -> datetime.datetime:
    return at(day, rng.randint(first, last), rng.randrange(60))


def merge_time(rng: random.Random, proposed: datetime.datetime) -> datetime.datetime:
    """When a reviewer merges: a few hours later, or the next morning."""
    merged = proposed + datetime.timedelta(minutes=rng.randint(25, 300))
    if merged.hour >= 22 or merged.date() != proposed.date():
        merged = at(proposed.date() + datetime.timedelta(days=1), rng.randint(7, 10), rng.randrange(60))
    return merged


@dataclass
class ReportPlan:
    """One milestone report of one unit: filed on time, late, or missing; maybe replaced later."""

    milestone: Milestone
    status: str  # on_time | late | missing
    name: str = ""  # the file now in place
    proposed: datetime.datetime | None = None
    merged: datetime.datetime | None = None
    with_submission: bool = False  # uploaded in the self-assessment's pull request
    first_name: str = ""  # replaced: the first file's name (may equal `name`)
    replaced: datetime.datetime | None = None  # replaced: when the new version was proposed
    replaced_merged: datetime.datetime | None = None

    def rel(self) -> str:
        """Path inside the unit's folder (how a self-assessment cites it)."""
        return f"{REPORTS_FOLDER}/{self.milestone.id}/{self.name}"


@dataclass
class UnitYear:
    unit: Unit
    period: str
    case: str = "missing"  # missing | early | deadline | late | before-opens | reviewer-delay | stub | forged
    submission: Submission | None = None
    partial: bool = False
    proposed: datetime.datetime | None = None  # forged: the forged date
    merged: datetime.datetime | None = None  # forged: when main was fast-forwarded
    stub_criteria: list[str] = field(default_factory=list)
    completed: datetime.datetime | None = None  # stub: when the full sheet was proposed
    completed_merged: datetime.datetime | None = None
    reports: dict[str, ReportPlan] = field(default_factory=dict)
    review: Review | None = None
    claims_without_plan: bool = False

    @property
    def expected_status(self) -> str:
        """The self-assessment status the clock must find (on_time | late | missing)."""
        if self.submission is None:
            return "missing"
        return "late" if self.case in ("late", "stub", "forged") else "on_time"


def pick(rng: random.Random, pool: list, count: float) -> list:
    """A deterministic sample of about `count` items (at least one, so every case exists)."""
    return rng.sample(pool, min(len(pool), max(1, round(count)))) if pool else []


def plan_period(period: str, registries: dict[str, RegistryFile], seed: str) -> list[UnitYear]:
    """Decide who submits, how completely, when, with which reports, and who gets reviewed."""
    rng = random.Random(f"{seed}:{period}")
    info = load_period(period)
    designed = DESIGNED[period]
    units = [u for reg in registries.values() for u in reg.units]
    plans = {u.id: UnitYear(u, period) for u in units}
    sa_designed = {designed[case]: case for case in SA_CASES}
    replaced_unit, replaced_milestone = designed["replaced"]
    no_plan_unit = designed.get("claims-without-plan")
    # The offices with schools, and those schools, always submit: the schools' preset 3.2 puts each
    # office in a chosen 4.2 band whether or not missing files count as "not met".
    portal_fixed = portal_scores(rng, period, registries)
    protected = set(portal_fixed) | set(registries) | set(sa_designed) | {replaced_unit, no_plan_unit}
    missing = set(pick(rng, [u.id for u in units if u.id not in protected], 0.15 * len(units)))
    submitters = [u.id for u in units if u.id not in missing]
    ordinary = [s for s in submitters if s not in sa_designed]
    partial = set(pick(rng, [s for s in ordinary if s != no_plan_unit], 0.15 * len(submitters)))
    late = set(pick(rng, ordinary, 0.08 * len(submitters)))
    first_wave = set(pick(rng, [s for s in ordinary if s not in late], 0.55 * len(ordinary)))
    for unit in units:
        plan = plans[unit.id]
        plan.reports = plan_reports(
            rng,
            info,
            plan,
            unit.id in missing,
            replaced_milestone if unit.id == replaced_unit else "",
            unit.id == no_plan_unit,
        )
        if unit.id in missing:
            continue
        plan.partial = unit.id in partial
        plan.case = sa_designed.get(unit.id) or (
            "late" if unit.id in late else "early" if unit.id in first_wave else "deadline"
        )
        plan.claims_without_plan = unit.id == no_plan_unit
        plan.submission = build_submission(rng, period, plan, portal_fixed.get(unit.id))
        schedule_submission(rng, info, plan)
    reviewed = set(pick(rng, submitters, {"2020-2021": 0.6, "2023-2024": 0.35}.get(period, 0.3) * len(submitters)))
    reviewed |= {no_plan_unit} if no_plan_unit else set()
    for unit_id in sorted(reviewed):
        plans[unit_id].review = build_review(rng, plans[unit_id], registries)
    return [plans[u.id] for u in units]


def portal_scores(rng: random.Random, period: str, registries: dict[str, RegistryFile]) -> dict[str, float]:
    """Criterion 3.2 of every THCS under an office: full for the designed number of schools, else 0."""
    fixed = {}
    for office_id, (_, met_per_period) in DEMO_THCS.items():
        if office_id not in registries:
            continue
        schools = [u.id for u in registries[office_id].units]
        met = set(rng.sample(schools, met_per_period[period]))
        fixed.update({s: (5.0 if s in met else 0.0) for s in schools})
    return fixed


def plan_reports(
    rng: random.Random, info, plan: UnitYear, missing_submission: bool, replaced: str, no_plan: bool
) -> dict[str, ReportPlan]:
    """Each owed report: mostly on time, sometimes late, a few never (more often for units that do
    not submit their self-assessment either)."""
    reports = {}
    for milestone in info.milestones:
        if not milestone.owed(plan.unit.type):
            continue
        roll = rng.random()
        if milestone.id == replaced:
            status = "on_time"
        elif (no_plan and milestone.id == "ke-hoach") or roll < (0.35 if missing_submission else 0.05):
            status = "missing"
        else:
            status = "late" if roll > 0.87 else "on_time"
        names = REPORT_NAMES[milestone.id]
        report = ReportPlan(milestone, status, rng.choice(names).format(period=plan.period))
        if status == "on_time":
            early = rng.choice((0, 0, 1, 2, 3, 6, 10))
            report.proposed = some_time(rng, milestone.due - datetime.timedelta(days=early))
            if milestone.id == replaced:
                report.proposed = some_time(rng, milestone.due - datetime.timedelta(days=3))
        elif status == "late":
            report.proposed = some_time(rng, milestone.due + datetime.timedelta(days=rng.randint(1, 12)))
        if report.proposed:
            report.merged = merge_time(rng, report.proposed)
        if milestone.id == replaced:
            report.first_name = report.name
            if plan.period == "2023-2024":  # the new version under a new name (the old file deleted)
                report.name = report.name.replace(".pdf", "-dieu-chinh.pdf")
            report.replaced = some_time(rng, milestone.due + datetime.timedelta(days=rng.randint(8, 14)))
            report.replaced_merged = merge_time(rng, report.replaced)
        reports[milestone.id] = report
    return reports


def schedule_submission(rng: random.Random, info, plan: UnitYear) -> None:
    """The proposal and merge times of the self-assessment, by case."""
    opens, deadline = info.opens, info.deadline
    days = (deadline - opens).days
    case = plan.case
    if case == "early":
        plan.proposed = some_time(rng, opens + datetime.timedelta(days=rng.randint(0, days - 1)))
    elif case == "deadline":
        plan.proposed = some_time(rng, deadline, 8, 21)
    elif case == "late":
        plan.proposed = some_time(rng, deadline + datetime.timedelta(days=rng.randint(1, 6)))
    elif case == "before-opens":
        plan.proposed = at(opens - datetime.timedelta(days=5), 15, 20)
    elif case == "reviewer-delay":  # proposed in the evening of the deadline, merged two days later
        plan.proposed = at(deadline, 21, 40)
        plan.merged = at(deadline + datetime.timedelta(days=2), 9, 15)
    elif case == "stub":  # a few criteria before the deadline, the rest after it
        plan.proposed = at(deadline - datetime.timedelta(days=2), 16, 5)
        plan.completed = at(deadline + datetime.timedelta(days=3), 10, 30)
        plan.completed_merged = at(deadline + datetime.timedelta(days=3), 15, 0)
        plan.stub_criteria = list(plan.submission.scores)[:5]
    elif case == "forged":  # committed with a forged date, fast-forwarded days later
        plan.proposed = at(deadline - datetime.timedelta(days=1), 10, 5)
        plan.merged = at(deadline + datetime.timedelta(days=4), 8, 0)
    if plan.merged is None:
        plan.merged = merge_time(rng, plan.proposed)
    year_end = plan.reports.get("tong-ket")
    if (
        year_end
        and year_end.milestone.due == deadline
        and year_end.status == "on_time"
        and case in ("early", "deadline")
        and rng.random() < 0.6
    ):
        year_end.with_submission = True  # uploaded together with the self-assessment
        year_end.proposed, year_end.merged = plan.proposed, plan.merged


def target_points(rng: random.Random, partial: bool) -> float:
    """A total to aim at, drawn so that every rating band gets units (partial sheets aim lower)."""
    weights = [30, 30, 18, 14, 8] if not partial else [5, 15, 30, 30, 20]
    ranges = [(91, 99), (81, 89), (71, 79), (52, 69), (30, 48)]
    low, high = rng.choices(ranges, weights)[0]
    return float(rng.randint(low, high))


def scores_towards(
    rng: random.Random, criteria: list[Criterion], target: float, fixed: dict[str, float], omitted: set[str]
) -> dict[str, float]:
    """Scores whose sum is just at or below `target` points, in 0.5 steps: starting from a full sheet
    and removing 0.5-1 point at a time spreads the losses over many criteria, like real sheets.
    `fixed` scores are never changed; `omitted` criteria are left out of the submission."""
    scores = {c.id: fixed.get(c.id, c.max) for c in criteria if c.id not in omitted}
    adjustable = [c.id for c in criteria if c.id in scores and c.id not in fixed]
    while sum(scores.values()) > target and adjustable:
        cid = rng.choice(adjustable)
        scores[cid] = max(0.0, scores[cid] - rng.choice((0.5, 0.5, 1.0)))
        if scores[cid] == 0:
            adjustable.remove(cid)
    return scores


def build_submission(rng: random.Random, period: str, plan: UnitYear, portal: float | None) -> Submission:
    """Scores aimed at a band, evidence that satisfies every criterion's rule, and notes."""
    unit = plan.unit
    criteria = written_criteria(period, unit.type)
    fixed = {}
    if unit.type != "phong-gddt":  # portal integration: all or nothing, mostly integrated
        portal_max = next(c.max for c in criteria if c.id == PORTAL_CRITERION)
        fixed[PORTAL_CRITERION] = portal if portal is not None else (0.0 if rng.random() < 0.15 else portal_max)
    filed = {m: r for m, r in plan.reports.items() if r.status != "missing" and not r.with_submission}
    for crit in criteria:  # no points where the report they need was never filed (one unit claims them anyway)
        if crit.requires_milestone and crit.requires_milestone not in filed:
            fixed[crit.id] = crit.max if plan.claims_without_plan else 0.0
    omitted = set()
    if plan.partial:
        candidates = [c.id for c in criteria if c.id not in fixed]
        omitted = set(rng.sample(candidates, rng.randint(2, 6)))
    scores = scores_towards(rng, criteria, target_points(rng, plan.partial), fixed, omitted)
    pool = [DECISION_FILE] + [filed[m].rel() for m in ("ke-hoach", "so-ket") if m in filed]
    evidence, notes = {}, {}
    by_id = {c.id: c for c in criteria}
    for cid, value in scores.items():
        crit = by_id[cid]
        evidence[cid] = evidence_for(rng, unit, crit, value, pool, filed)
        if crit.requires_milestone and plan.claims_without_plan and value > 0:
            notes[cid] = NO_PLAN_NOTE
        elif rng.random() < 0.75 or value < crit.max:
            notes[cid] = note_for(unit, period, crit, value)
    return Submission(unit, period, scores, evidence, notes)


def evidence_for(
    rng: random.Random, unit: Unit, crit: Criterion, value: float, pool: list[str], filed: dict[str, ReportPlan]
) -> list[str]:
    """Evidence that satisfies the criterion's rule when the score is > 0, plus an occasional extra link."""
    if value == 0 or crit.evidence is None:
        return [unit.website] if crit.id == "3.1" and value > 0 and rng.random() < 0.3 else []
    if crit.evidence == PDF:
        if crit.requires_milestone in filed:  # the plan itself is the evidence of the plan criterion
            return [filed[crit.requires_milestone].rel()]
        chosen = sorted(rng.sample(pool, rng.randint(1, len(pool))))
        if crit.id == "3.4" and rng.random() < 0.4:
            chosen.append(link_evidence(unit, CONG_KHAI))
        return chosen
    return [link_evidence(unit, crit.evidence)]


def note_for(unit: Unit, period: str, crit: Criterion, value: float) -> str:
    """A Vietnamese remark in the tone of the paper sheet's 'Ghi chú' column."""
    if crit.id == PORTAL_CRITERION and unit.type != "phong-gddt" and value == 0:
        return PORTAL_ZERO_NOTE
    if value == 0:
        return NO_PLAN_NOTE if crit.requires_milestone else ZERO_NOTE
    if value < crit.max:  # a partial score explains the gap rather than claiming the criterion
        return PARTIAL_NOTES[int(value * 2) % len(PARTIAL_NOTES)]
    if period == "2020-2021" and crit.id == "1.4" and unit.type != "phong-gddt":
        return COVID_NOTE
    return NOTES[unit.type][crit.id]


def build_review(rng: random.Random, plan: UnitYear, registries: dict[str, RegistryFile]) -> Review:
    """Reviewer scores: mostly the self-scores, some lowered with a reason (never the portal item,
    whose value is designed to put each district office in a chosen 4.2 band)."""
    sub = plan.submission
    reviewer = rng.choice(unit_reviewers(sub.unit, registries))
    scores, comments = dict(sub.scores), {}
    criteria = {c.id: c for c in written_criteria(plan.period, sub.unit.type)}
    if plan.claims_without_plan:
        for cid, value in sub.scores.items():
            if criteria[cid].requires_milestone and value > 0:
                scores[cid], comments[cid] = 0.0, NO_PLAN_COMMENT
    lowerable = [cid for cid, v in scores.items() if v > 0 and cid != PORTAL_CRITERION and cid not in comments]
    if lowerable and rng.random() < 0.65:
        for cid in sorted(rng.sample(lowerable, min(len(lowerable), rng.randint(1, 3)))):
            scores[cid] = max(0.0, scores[cid] - rng.choice((0.5, 1.0, 1.0, 2.0)))
            specific = SCHOOL_REVIEW_COMMENTS.get(cid) if sub.unit.type != "phong-gddt" else None
            comments[cid] = specific or rng.choice(REVIEW_COMMENTS)
    elif scores and not comments:
        comments[next(iter(scores))] = AGREE_COMMENT
    return Review(reviewer, "", scores, comments)  # the date is the day the reviewer files it


# --------------------------------------------------------------------------------------------
# Events: the timeline of commits
# --------------------------------------------------------------------------------------------


@dataclass
class Commit:
    """One commit's content: `when` is the web editor's (signed) time, a maintainer's own time, or
    for a fast-forward the date the committer wrote (forged)."""

    when: datetime.datetime
    author: str  # GitHub handle
    message: str
    files: dict[str, bytes | None]  # path -> content (None deletes)


@dataclass
class Event:
    """`setup`: a maintainer's unsigned commit on main. `pr`: web-editor commits on a branch, merged
    with a signed merge commit at `merged` by `merged_by`. `push`: unsigned commits that main is
    fast-forwarded to at `merged` (the push), with whatever dates they carry."""

    kind: str
    commits: list[Commit]
    title: str = ""
    merged: datetime.datetime | None = None
    merged_by: str = ""
    period: str = ""
    unit: str = ""
    what: str = ""  # self-assessment | stub | completion | report:<milestone> | replacement:<milestone> | review

    @property
    def start(self) -> datetime.datetime:
        """When the event first shows in the repository (a push shows only when main moves)."""
        return self.merged if self.kind == "push" else self.commits[0].when

    @property
    def landed(self) -> datetime.datetime:
        """When its content reached main."""
        return self.commits[-1].when if self.kind == "setup" else self.merged


@dataclass
class Demo:
    events: list[Event]
    plans: dict[str, list[UnitYear]]
    registries: dict[str, dict[str, RegistryFile]]

    def files(self, prefix: str = "submissions/") -> dict[str, bytes]:
        """The final content of every file under `prefix` after all events."""
        state: dict[str, bytes] = {}
        for event in sorted(self.events, key=lambda e: e.landed):
            for commit in event.commits:
                for path, data in commit.files.items():
                    if data is None:
                        state.pop(path, None)
                    else:
                        state[path] = data
        return {p: d for p, d in sorted(state.items()) if p.startswith(prefix)}

    def plan(self, period: str, unit_id: str) -> UnitYear:
        return next(p for p in self.plans[period] if p.unit.id == unit_id)


def text(content: str) -> bytes:
    return content.encode("utf-8")


def pdf_for(period: str, unit: Unit, name: str, version: str = "") -> bytes:
    lines = [
        f"TAI LIEU MINH HOA - {unit.id} - {name}",
        f"Nam hoc {period} - du lieu gia lap, khong phai van ban that",
        ascii_text(unit.name),
    ]
    return minimal_pdf(lines + ([version] if version else []))


def build_demo(seed: str = DEMO_SEED, source: Path = REPO_ROOT) -> Demo:
    """Registries, plans and every event of the three years."""
    registries = {p: demo_registries(p) for p in PERIODS}
    plans = {p: plan_period(p, registries[p], seed) for p in PERIODS}
    events = setup_events(registries, source)
    for period in PERIODS:
        rng = random.Random(f"{seed}:{period}:events")
        for plan in plans[period]:
            events += unit_events(rng, plan, registries[period])
        events += review_events(rng, period, plans[period], registries[period])
    events.sort(key=lambda e: e.start)
    return Demo(events, plans, registries)


def setup_events(registries: dict[str, dict[str, RegistryFile]], source: Path) -> list[Event]:
    """The maintainers' own commits: the repository, then each year's criteria and registry."""

    def tree(folder: str) -> dict[str, bytes]:
        base = source / folder
        return {p.relative_to(source).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}

    shared = tree("criteria") | tree("schema")
    by_period: dict[str, dict[str, bytes]] = {}
    first: dict[str, bytes] = {}
    for path, data in shared.items():
        parts = path.split("/")
        period = parts[1] if parts[0] == "criteria" else parts[2] if parts[1] == "editor" else ""
        (by_period.setdefault(period, {}) if period else first)[path] = data
    first["submissions/organization.yaml"] = text(
        render_organization(
            "Sở Giáo dục và Đào tạo Thành phố Hồ Chí Minh (dữ liệu minh hoạ)",
            DEPARTMENT_REVIEWERS,
            [MAINTAINER],
            demo=True,
            repository=REPOSITORY,
            signers=["github-web-flow", KEY_NAME],
        )
    )
    first[f"submissions/keys/{KEY_NAME}.asc"] = (KEY_DIR / f"{KEY_NAME}.asc").read_bytes()
    for period, period_registries in registries.items():
        for registry in period_registries.values():
            by_period.setdefault(period, {})[registry.path] = text(render_registry(registry))
    schedule = {
        "2020-2021": (
            at(datetime.date(2020, 9, 15), 9),
            "Năm học 2020 - 2021: bộ tiêu chí, mốc báo cáo và danh "
            "sách đơn vị (22 Phòng GD&ĐT, trường THCS, THPT, trung tâm GDTX)",
        ),
        "chuyen-doi-so-4725": (
            at(datetime.date(2023, 2, 6), 10),
            "Thêm khung đánh giá chuyển đổi số của Bộ GD&ĐT (Quyết định số 4725/QĐ-BGDĐT) để tham khảo",
        ),
        "2023-2024": (
            at(datetime.date(2023, 9, 11), 9),
            "Năm học 2023 - 2024: bộ tiêu chí, mốc báo cáo theo Công văn số 5496/SGDĐT-VP và danh sách đơn vị",
        ),
        "2025-2026": (
            at(datetime.date(2025, 8, 18), 9),
            "Năm học 2025 - 2026: chính quyền địa phương hai cấp — "
            "không còn Phòng GD&ĐT, trường THCS thuộc xã/phường; bộ tiêu chí và mốc đề xuất",
        ),
    }
    unknown = set(by_period) - set(schedule)
    if unknown:
        raise ValueError(f"no setup commit for {sorted(unknown)}: add one to setup_events()")
    events = [
        Event(
            "setup",
            [
                Commit(
                    at(datetime.date(2020, 9, 1), 8, 30),
                    MAINTAINER,
                    "Khởi tạo kho dữ liệu đánh giá ứng dụng CNTT (dữ liệu minh hoạ): lược đồ, "
                    "thông tin Sở, khoá minh hoạ của đồng hồ nộp bài",
                    first,
                )
            ],
        )
    ]
    for period, (when, message) in schedule.items():
        events.append(Event("setup", [Commit(when, MAINTAINER, message, by_period[period])], period=period))
    return events


def unit_events(rng: random.Random, plan: UnitYear, registries: dict[str, RegistryFile]) -> list[Event]:
    """A unit's pull requests of one year (reports, self-assessment) and its fast-forward, if any."""
    unit, period = plan.unit, plan.period
    reviewers = unit_reviewers(unit, registries)
    events = []

    def pr(what: str, title: str, when, merged, message: str, files: dict) -> Event:
        return Event(
            "pr",
            [Commit(when, rng.choice(unit.editors), message, files)],
            f"{unit.name}: {title}",
            merged,
            rng.choice(reviewers),
            period,
            unit.id,
            what,
        )

    for report in plan.reports.values():
        if report.status == "missing" or report.with_submission:
            continue
        m = report.milestone
        first = report.first_name or report.name
        events.append(
            pr(
                f"report:{m.id}",
                f"nộp {lower_first(m.title)}",
                report.proposed,
                report.merged,
                f"Nộp {lower_first(m.title)}",
                {report_path(period, unit, m.id, first): pdf_for(period, unit, first)},
            )
        )
        if report.replaced:
            files = {report_path(period, unit, m.id, report.name): pdf_for(period, unit, report.name, "Ban dieu chinh")}
            if report.name != first:
                files[report_path(period, unit, m.id, first)] = None
            events.append(
                pr(
                    f"replacement:{m.id}",
                    f"thay {lower_first(m.title)} (bản điều chỉnh)",
                    report.replaced,
                    report.replaced_merged,
                    f"Thay {lower_first(m.title)} bằng bản điều chỉnh",
                    files,
                )
            )
    sub = plan.submission
    if sub is None:
        return events
    title = f"hồ sơ tự đánh giá năm học {spaced(period)}"
    message = f"Nộp hồ sơ tự đánh giá năm học {spaced(period)}"
    if plan.case == "stub":
        stub = sub.only(plan.stub_criteria)
        events.append(
            pr(
                "stub",
                f"{title} (nộp trước một phần)",
                plan.proposed,
                merge_time(rng, plan.proposed),
                f"{message} (một phần)",
                submission_files(period, unit, stub),
            )
        )
        rest = {
            k: v
            for k, v in submission_files(period, unit, sub).items()
            if k not in submission_files(period, unit, stub) or k.endswith(".yaml")
        }
        events.append(
            pr(
                "completion",
                f"bổ sung {title}",
                plan.completed,
                plan.completed_merged,
                f"Bổ sung hồ sơ tự đánh giá năm học {spaced(period)}",
                rest,
            )
        )
    elif plan.case == "forged":
        editor = unit.editors[0]
        events.append(
            Event(
                "push",
                [Commit(plan.proposed, editor, message, submission_files(period, unit, sub))],
                f"{unit.name}: {title}",
                plan.merged,
                MAINTAINER,
                period,
                unit.id,
                "self-assessment",
            )
        )
    else:
        files = submission_files(period, unit, sub)
        year_end = plan.reports.get("tong-ket")
        if year_end and year_end.with_submission:
            files[report_path(period, unit, "tong-ket", year_end.name)] = pdf_for(period, unit, year_end.name)
            title += " và báo cáo tổng kết"
        events.append(pr("self-assessment", title, plan.proposed, plan.merged, message, files))
    return events


def submission_files(period: str, unit: Unit, sub: Submission) -> dict[str, bytes]:
    """The self-assessment file and the unit's own PDFs it cites (reports are filed on their own)."""
    files = {submission_path(period, unit): text(render_submission(sub))}
    for name in sub.pdfs():
        if not name.startswith(f"{REPORTS_FOLDER}/"):
            files[f"{unit_folder(period, unit)}/{name}"] = pdf_for(period, unit, name)
    return files


def review_events(
    rng: random.Random, period: str, plans: list[UnitYear], registries: dict[str, RegistryFile]
) -> list[Event]:
    """Each reviewer files the scores of their units in one pull request, after the window closes."""
    deadline = load_period(period).deadline
    groups: dict[tuple[str, str], list[UnitYear]] = {}
    for plan in plans:
        if plan.review is not None:
            groups.setdefault((plan.unit.body, plan.review.reviewer), []).append(plan)
    events = []
    for n, ((body, reviewer), members) in enumerate(sorted(groups.items())):
        landed = max(p.completed_merged or p.merged for p in members)
        day = max(deadline + datetime.timedelta(days=7 + n % 5), landed.date() + datetime.timedelta(days=1))
        when = some_time(rng, day, 8, 16)
        files = {}
        for plan in members:
            plan.review.date = day.isoformat()
            review = render_review(plan.submission, plan.review)
            files[submission_path(period, plan.unit, ".review.yaml")] = text(review)
        body_name = (
            registries[body].name or next(u.name for r in registries.values() for u in r.units if u.id == body)
            if body != DEPARTMENT_ID
            else "Sở GD&ĐT"
        )
        events.append(
            Event(
                "pr",
                [Commit(when, reviewer, f"Chấm điểm hồ sơ tự đánh giá năm học {spaced(period)}", files)],
                f"{body_name}: điểm chấm năm học {spaced(period)} ({len(members)} đơn vị)",
                merge_time(rng, when),
                reviewer,
                period,
                "",
                "review",
            )
        )
    return events


# --------------------------------------------------------------------------------------------
# Summary (printed by the generator, and used in the report)
# --------------------------------------------------------------------------------------------


def final_scores(plan: UnitYear) -> dict[str, float]:
    return plan.review.scores if plan.review else plan.submission.scores


def district_shares(plans: list[UnitYear], registries: dict[str, RegistryFile]) -> dict[str, float]:
    """Share (percent) of an office's units whose 3.2 is met (missing = not met)."""
    by_id = {p.unit.id: p for p in plans}
    shares = {}
    for body, registry in registries.items():
        if body == DEPARTMENT_ID or body not in by_id:
            continue
        met = sum(
            1 for u in registry.units if by_id[u.id].submission and final_scores(by_id[u.id]).get(PORTAL_CRITERION) == 5
        )
        shares[body] = 100 * met / len(registry.units)
    return shares


def unit_percent(plan: UnitYear, scores: dict[str, float], shares: dict[str, float]) -> float:
    """Total in percent of the sheet. An office's derived 4.2 is banded from its schools' share; an
    office without schools is rated without that item, as site_builder's scorer does."""
    criteria = load_criteria(plan.period)[plan.unit.type]
    total = sum(scores.values())
    maximum = sum(c.max for c in criteria if not c.derived)
    for crit in criteria:
        if crit.derived and plan.unit.id in shares:
            total += crit.max * band_of(shares[plan.unit.id], DISTRICT_SHARE_BANDS)
            maximum += crit.max
    return 100 * total / maximum


def band_counts(plans: list[UnitYear], shares: dict[str, float], reviewed: bool) -> str:
    counts = {label: 0 for _, label in RATING_BANDS}
    for plan in plans:
        scores = final_scores(plan) if reviewed else plan.submission.scores
        counts[band_of(unit_percent(plan, scores, shares), RATING_BANDS)] += 1
    return ", ".join(f"{label} {count}" for label, count in counts.items())


def summary(demo: Demo) -> str:
    files = demo.files()
    pdfs = sum(1 for p in files if p.endswith(".pdf"))
    lines = [
        f"files under submissions/: {len(files)} ({pdfs} PDFs, {sum(len(d) for d in files.values())} bytes); "
        f"events: {len(demo.events)} ({sum(e.kind == 'pr' for e in demo.events)} pull requests)"
    ]
    for period, plans in demo.plans.items():
        submitted = [p for p in plans if p.submission]
        reports = [r for p in plans for r in p.reports.values()]
        status = {s: sum(r.status == s for r in reports) for s in ("on_time", "late", "missing")}
        lines.append(
            f"{period}: units {len(plans)} in {len(demo.registries[period])} registry files, submitted "
            f"{len(submitted)} (partial {sum(p.partial for p in submitted)}), missing {len(plans) - len(submitted)}, "
            f"late {sum(p.expected_status == 'late' for p in plans)}, reviewed {sum(bool(p.review) for p in plans)}; "
            f"reports owed {len(reports)}: filed {status['on_time'] + status['late']} (late {status['late']}), "
            f"missing {status['missing']}, replaced {sum(bool(r.replaced) for r in reports)}"
        )
        shares = district_shares(plans, demo.registries[period])
        lines.append(f"  rating bands, self-scores: {band_counts(submitted, shares, reviewed=False)}")
        lines.append(f"  rating bands, final scores: {band_counts(submitted, shares, reviewed=True)}")
        if shares:
            lines.append(
                "  district 4.2 share: "
                + ", ".join(
                    f"{office} {share:.0f}% -> factor {band_of(share, DISTRICT_SHARE_BANDS)}"
                    for office, share in shares.items()
                )
            )
        cases = ", ".join(
            f"{case} {value if isinstance(value, str) else '/'.join(value)}" for case, value in DESIGNED[period].items()
        )
        lines.append(f"  designed: {cases}")
    return "\n".join(lines)
