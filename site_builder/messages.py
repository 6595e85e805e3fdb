"""Every Vietnamese sentence the validator says, in one place.

Each function returns `(message, fix)`: what is wrong, then what to do. Keeping the wording
here (not scattered through the checks) lets us review the language as a whole and test it.
"""

from __future__ import annotations

from site_builder.numbers import as_typed, thousands

FIELD_LABELS = {
    "don_vi": "mã đơn vị (don_vi)",
    "nam_hoc": "năm học (nam_hoc)",
    "tieu_chi": "danh sách tiêu chí (tieu_chi)",
    "diem_tu_cham": "điểm tự chấm",
    "diem_cham": "điểm chấm",
    "minh_chung": "minh chứng",
    "ghi_chu": "ghi chú",
    "nhan_xet": "nhận xét",
    "nguoi_cham": "người chấm (nguoi_cham)",
    "ngay_cham": "ngày chấm (ngay_cham)",
}

EVIDENCE_KIND_LABELS = {
    "pdf": "tệp PDF",
    "website": "địa chỉ website của đơn vị",
    "cong_khai_link": "đường link chuyên mục Công khai trên website",
    "thu_tuc_bieu_mau_link": "đường link chuyên mục Thủ tục – Biểu mẫu trên website",
}


def field_name(path) -> str:
    """A dotted path such as `tieu_chi.3.2.diem_tu_cham` (list items as [n], 1-based)."""
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        else:
            parts.append(("." if parts else "") + str(part))
    return "".join(parts)


def subject_for(path) -> str:
    """How a person names the place: `tiêu chí 3.2` is clearer than `tieu_chi.3.2.diem_tu_cham`."""
    path = list(path)
    if len(path) >= 2 and path[0] == "tieu_chi":
        subject = f"tiêu chí {path[1]}"
        rest = path[2:]
        if rest and isinstance(rest[0], str):
            subject += f", {FIELD_LABELS.get(rest[0], rest[0])}"
        if len(rest) >= 2 and isinstance(rest[1], int):
            subject += f" thứ {rest[1] + 1}"
        return subject
    if len(path) >= 2 and path[0] == "units" and isinstance(path[1], int):
        subject = f"đơn vị thứ {path[1] + 1}"
        if len(path) >= 3 and isinstance(path[2], str):
            subject += f", trường {path[2]}"
        return subject
    if path and isinstance(path[0], str):
        label = FIELD_LABELS.get(path[0], f"trường {path[0]}")
        return label + (f" thứ {path[1] + 1}" if len(path) > 1 and isinstance(path[1], int) else "")
    return "tệp"


# ---------------------------------------------------------------- files and YAML syntax

def file_too_large(size: int, limit: int):
    return (f"tệp quá lớn ({thousands(size)} byte, tối đa {thousands(limit)} byte).",
            "Hãy kiểm tra lại: tệp khai báo chỉ chứa chữ; tài liệu đính kèm là tệp PDF riêng.")


def data_file_symlink():
    return ("tệp là liên kết (symlink), không phải tệp dữ liệu thật.",
            "Hãy xoá liên kết và tải lên chính tệp .yaml.")


def unclosed_quote(error_line: int | None):
    where = f"lỗi lộ ra ở dòng {error_line}" if error_line else "đến hết tệp vẫn không thấy dấu nháy đóng"
    return (f"dấu nháy mở ở dòng này chưa được đóng ({where}).",
            "Hãy thêm dấu nháy đóng ở cuối giá trị, trên cùng dòng.")


def unreadable(exc: OSError):
    return ("không đọc được tệp.", f"Hãy kiểm tra tệp còn tồn tại và không bị khoá ({exc.strerror or exc}).")


def not_utf8():
    return ("tệp không được lưu bằng bảng mã UTF-8.",
            "Hãy lưu lại tệp với bảng mã UTF-8 (trình soạn thảo của GitHub luôn dùng UTF-8).")


def binary_file():
    return ("tệp chứa dữ liệu nhị phân, không phải văn bản YAML.",
            "Hãy chắc chắn đây là tệp .yaml dạng chữ, không phải tệp Word/PDF đổi tên.")


def empty_file():
    return ("tệp trống.", "Hãy điền nội dung theo mẫu (xem hướng dẫn cho đơn vị).")


def too_deep(limit: int):
    return (f"cấu trúc lồng nhau quá sâu (quá {limit} tầng).",
            "Tệp khai báo chỉ cần vài tầng thụt lề; hãy viết lại theo mẫu.")


def alias_used():
    return ("tệp dùng neo/bí danh YAML (& và *), không được phép ở đây.",
            "Hãy viết đầy đủ từng giá trị thay vì tham chiếu bằng & và *.")


def merge_key():
    return ("tệp dùng khoá gộp YAML (<<), không được phép ở đây.",
            "Hãy viết đầy đủ từng trường thay vì gộp.")


def custom_tag(tag: str):
    shown = "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag
    return (f"thẻ YAML «{shown}» không được hỗ trợ.", "Hãy xoá thẻ bắt đầu bằng dấu ! ở dòng này.")


def complex_key():
    return ("tên trường phải là một chữ hoặc số đơn giản.", "Hãy viết tên trường trên một dòng, theo sau là dấu hai chấm.")


def duplicate_key(key: str, first_line: int):
    return (f"trường «{key}» xuất hiện hai lần (lần đầu ở dòng {first_line}).",
            "Hãy gộp nội dung vào một chỗ và xoá dòng trùng; nếu không, một trong hai sẽ bị bỏ qua.")


def invisible_character(char: str):
    return (f"văn bản chứa ký tự ẩn U+{ord(char):04X} (ký tự điều khiển), có thể làm chữ hiển thị sai lệch.",
            "Hãy gõ lại đoạn văn bản này, không dán từ nguồn khác.")


def control_character_in_file(char: str):
    return (f"tệp chứa ký tự điều khiển U+{ord(char):04X} không hợp lệ (ký tự ẩn, thường do dán từ nguồn khác).",
            "Hãy gõ lại dòng này, không dán từ nguồn khác.")


def yaml_unreadable(detail: str):
    return ("không đọc được nội dung YAML.", "Hãy so sánh với tệp mẫu và sửa lại cú pháp.")


def yaml_syntax(problem: str, context: str, source_line: str):
    """Translate libyaml's English into what a clerk can act on."""
    p = problem.lower()
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or "'\\t'" in p:
        return ("dòng này thụt lề bằng phím Tab.",
                "YAML chỉ chấp nhận dấu cách: hãy xoá Tab và thụt lề bằng dấu cách (mỗi tầng 2 dấu cách).")
    if "mapping values are not allowed" in p:
        return ("dấu hai chấm «:» đặt sai chỗ.",
                "Nếu giá trị có chứa dấu hai chấm, hãy đặt cả giá trị trong dấu nháy kép \"...\"; "
                "nếu không, hãy kiểm tra thụt lề của dòng này.")
    if "could not find expected ':'" in p:
        return ("thiếu dấu hai chấm «:» sau tên trường.", "Hãy viết theo dạng «ten_truong: giá trị».")
    if "expected <document start>" in p:
        return ("thụt lề không đúng: các trường ngoài cùng (don_vi, nam_hoc, tieu_chi, …) phải bắt đầu ở đầu dòng.",
                "Hãy xoá dấu cách ở đầu dòng này và các dòng cùng cấp.")
    if "expected <block end>" in p or "did not find expected key" in p or "expected <block mapping start>" in p:
        return ("thụt lề không đúng.",
                "Các trường cùng cấp phải thẳng cột với nhau; mỗi tầng lùi vào 2 dấu cách so với tầng trên.")
    if "did not find expected '-'" in p or "block sequence entries are not allowed" in p:
        return ("danh sách viết sai.", "Mỗi phần tử danh sách bắt đầu bằng «- » (gạch ngang và một dấu cách), thẳng cột nhau.")
    if ("escape" in p or "hexdecimal" in p or "hexadecimal" in p) and "quoted scalar" in context.lower():
        return ("trong dấu nháy kép, dấu gạch ngược «\\» bắt đầu một ký tự đặc biệt (ví dụ đường dẫn C:\\Users…).",
                "Hãy dùng dấu gạch chéo «/», hoặc đặt giá trị trong dấu nháy đơn '...'; minh chứng chỉ cần ghi tên tệp.")
    if "found unexpected end of stream" in p or "found unknown escape" in p or "while scanning a quoted scalar" in context.lower():
        return ("dấu nháy chưa được đóng hoặc viết sai.", "Hãy kiểm tra mỗi dấu nháy mở \" đều có dấu nháy đóng \" trên cùng dòng.")
    if ("found undefined alias" in p or "found character that cannot start any token" in p
            or "did not find expected node content" in p or "mapping keys are not allowed" in p
            or "while scanning a block scalar" in context.lower()):
        return ("dòng này có ký tự không hợp lệ ở đầu giá trị (ví dụ *, &, @, `, %, ?, |, >, ], }).",
                "Hãy đặt giá trị trong dấu nháy kép \"...\".")
    if "but found another document" in p or "expected a single document" in p:
        return ("tệp chứa nhiều tài liệu YAML (có dòng «---» ở giữa).",
                "Mỗi tệp chỉ chứa một bài tự đánh giá: hãy xoá dòng «---» và phần thừa.")
    if "expected ',' or ']'" in p or "expected ',' or '}'" in p:
        return ("ngoặc vuông/ngoặc nhọn chưa được đóng.", "Hãy kiểm tra các dấu [ ] và { } đi theo cặp.")
    if "control characters are not allowed" in p or "special characters are not allowed" in p:
        return ("tệp chứa ký tự điều khiển không hợp lệ.", "Hãy gõ lại dòng này, không dán từ nguồn khác.")
    return ("cú pháp YAML không hợp lệ.", "Hãy so sánh dòng này với tệp mẫu (thụt lề, dấu hai chấm, dấu nháy).")


# ---------------------------------------------------------------- schema translations

def json_type_name(type_name) -> str:
    names = {"string": "chữ", "number": "số", "integer": "số nguyên", "object": "nhóm trường",
             "array": "danh sách", "boolean": "true hoặc false", "null": "để trống"}
    if isinstance(type_name, list):
        return " hoặc ".join(names.get(t, t) for t in type_name)
    return names.get(type_name, str(type_name))


def describe_value(value) -> str:
    if value is None:
        return "để trống"
    if isinstance(value, bool):
        return "giá trị đúng/sai"
    if isinstance(value, (int, float)):
        return f"số {as_typed(value)}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"chữ «{shown}»"
    if isinstance(value, list):
        return "một danh sách"
    return "một nhóm trường"


def wrong_type(expected, value):
    fix = ""
    if expected in ("number", "integer") or (isinstance(expected, list) and "number" in expected):
        if isinstance(value, str) and "," in value and value.replace(",", "", 1).strip().isdigit():
            fix = f"Dùng dấu chấm cho phần thập phân: {value.replace(',', '.')}."
        elif isinstance(value, str):
            fix = "Hãy ghi số, không đặt trong dấu nháy (ví dụ: 4.5)."
        elif isinstance(value, bool):
            fix = "Hãy ghi điểm bằng số (ví dụ: 5), không dùng true/false."
        else:
            fix = "Hãy ghi một số (ví dụ: 4.5)."
    elif expected == "array":
        fix = "Hãy viết thành danh sách, mỗi dòng bắt đầu bằng «- »."
    elif expected == "object":
        fix = "Hãy viết các trường con thụt vào 2 dấu cách ở các dòng bên dưới."
        words = value.split(None, 1) if isinstance(value, str) else []
        if len(words) == 2 and words[0].replace("_", "").isalnum() and words[0].isascii() and ":" not in words[0]:
            fix = f"Có phải thiếu dấu hai chấm? Hãy viết «{words[0]}: {words[1]}»."
    elif expected == "string":
        fix = "Hãy đặt giá trị trong dấu nháy kép \"...\"."
    return (f"phải là {json_type_name(expected)}, nhưng đang là {describe_value(value)}.", fix)


def unknown_key(key: str, suggestion: str | None, allowed: list[str]):
    message = f"trường «{key}» không có trong mẫu."
    if suggestion:
        return (message, f"Có phải bạn muốn viết «{suggestion}»?")
    if allowed:
        return (message, "Các trường được phép: " + ", ".join(allowed) + ".")
    return (message, "Hãy xoá trường này.")


def missing_key(key: str):
    label = FIELD_LABELS.get(key, key).removesuffix(f" ({key})")
    named = f" ({label})" if label != key else ""
    return (f"thiếu trường bắt buộc «{key}»{named}.", f"Hãy thêm dòng «{key}: ...» theo mẫu.")


def bad_pattern(value, what: str):
    return (f"giá trị {describe_value(value)} không đúng định dạng {what}.",
            f"Hãy viết lại đúng định dạng {what}; xem tệp mẫu.")


def bad_enum(value, allowed):
    return (f"giá trị {describe_value(value)} không hợp lệ.",
            "Chỉ được chọn một trong: " + ", ".join(str(a) for a in allowed) + ".")


def bad_date(value):
    shown = f"«{value}»" if isinstance(value, str) else describe_value(value)
    return (f"ngày {shown} không hợp lệ.", "Hãy viết ngày theo dạng NĂM-THÁNG-NGÀY, ví dụ 2024-06-12.")


def too_long(limit: int):
    return (f"nội dung quá dài (tối đa {limit} ký tự).", "Hãy rút gọn; chi tiết để trong tệp PDF minh chứng.")


def too_many(limit: int):
    return (f"danh sách quá dài (tối đa {limit} mục).", "Hãy giữ lại các mục chính.")


def empty_text():
    return ("không được để trống.", "Hãy điền nội dung hoặc xoá cả dòng.")


def schema_generic():
    return ("giá trị không đúng mẫu.", "Hãy so sánh với tệp mẫu.")


# ---------------------------------------------------------------- milestones and reviews

def day(value) -> str:
    """A date as Vietnamese readers write it: 06/10/2023."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def milestone_missing_for_points(title: str, due, folder: str = ""):
    where = f" vào thư mục {folder}" if folder else ""
    return (f"có điểm nhưng đơn vị chưa nộp «{' '.join(title.split())}» (hạn {day(due)}); tiêu chí này chỉ được "
            "tính khi báo cáo đó nộp đúng hạn.",
            f"Hãy nộp báo cáo (một tệp PDF){where}; nếu chưa có, hãy chấm 0 điểm. Người chấm sẽ xem xét.")


def review_points_without_evidence(kinds: str):
    return (f"chấm điểm trên 0 nhưng bài của đơn vị không có minh chứng bắt buộc ({kinds}) cho tiêu chí này.",
            "Hãy chấm 0 điểm, hoặc chờ đơn vị bổ sung minh chứng rồi chấm lại.")


def wrong_extension(name: str, unit: str):
    return (f"tệp «{name}» có đuôi khác .yaml: hệ thống chỉ nhận bài tự đánh giá tên <mã đơn vị>.yaml.",
            f"Hãy đổi tên tệp thành {unit}.yaml (nếu đã có tệp {unit}.yaml, hãy xoá tệp này).")


def unit_filed_twice(unit: str, other: str):
    return (f"đơn vị «{unit}» có hai bài tự đánh giá trong cùng năm học (tệp này và {other}).",
            "Mỗi đơn vị chỉ nộp một tệp, trong thư mục của đơn vị quản lý của mình: hãy xoá tệp thừa.")


def report_unknown_milestone(milestone: str, period: str, known: list[str]):
    listed = ", ".join(known) if known else "(năm học này không có mốc báo cáo nào)"
    return (f"năm học {period} không có mốc báo cáo «{milestone}».",
            f"Hãy đặt báo cáo vào thư mục bao-cao/<mã mốc>/ với mã mốc là một trong: {listed}.")


def report_not_owed(title: str, unit_type_label: str):
    return (f"loại đơn vị «{unit_type_label}» không phải nộp «{' '.join(title.split())}».",
            "Báo cáo này không được tính; nếu nộp nhầm thư mục, hãy chuyển tệp sang đúng mốc hoặc xoá.")


def report_several_files(names: list[str]):
    return (f"mỗi mốc chỉ nhận một tệp PDF, thư mục đang có {len(names)} tệp: {', '.join(names)}.",
            "Hãy giữ lại một tệp (bản mới nhất) và xoá các tệp còn lại; thời điểm nộp lần đầu vẫn được ghi nhận.")


def report_not_pdf(name: str):
    return (f"tệp «{name}» không phải PDF: báo cáo theo mốc phải là một tệp PDF.",
            "Hãy lưu báo cáo thành PDF (Tệp → Lưu thành PDF) rồi tải lên lại, và xoá tệp này.")


# ---------------------------------------------------------------- evidence PDFs
# The verdict on a PDF is cached by content, so it carries no file name: these take the name the
# unit typed and say what is wrong with that file and how to fix it.

REPRINT = ("Hãy mở tệp và in lại thành PDF (chọn In → máy in «Microsoft Print to PDF», hoặc «Lưu dưới dạng PDF»), "
           "rồi tải tệp mới lên thay tệp này.")

PDF_ACTIVE_KINDS = {
    "javascript": "mã JavaScript",
    "open-action": "lệnh tự chạy khi mở tệp",
    "auto-action": "lệnh tự chạy khi mở trang hoặc khi bấm vào",
    "launch": "lệnh mở chương trình hoặc tệp khác trên máy người xem",
    "submit": "biểu mẫu gửi dữ liệu đi nơi khác",
    "embedded": "tệp khác đính kèm bên trong",
    "richmedia": "nội dung đa phương tiện (video, âm thanh, Flash hoặc 3D)",
    "xfa": "biểu mẫu XFA",
}


def pdf_problem(code: str, detail: str, ref: str, max_pages: int):
    """(message, fix) for a PDF verdict code from pdf_safety."""
    if code == "pdf-fake":
        return (f"tệp «{ref}» có đuôi .pdf nhưng không phải tệp PDF thật.",
                "Hãy mở tài liệu gốc và chọn Lưu dưới dạng PDF (Save as PDF), rồi tải lên lại.")
    if code == "pdf-truncated":
        return (f"tệp «{ref}» bị hỏng hoặc tải lên chưa hết (thiếu phần kết thúc của PDF).", "Hãy tải lên lại tệp PDF.")
    if code == "pdf-encrypted":
        return (f"tệp «{ref}» có mật khẩu hoặc bị mã hoá, người xem không mở được.",
                "Hãy lưu lại tệp PDF không đặt mật khẩu rồi tải lên.")
    if code == "pdf-empty":
        return (f"tệp «{ref}» không có trang nào.", "Hãy tải lên tệp PDF có nội dung.")
    if code == "pdf-too-many-pages":
        pages = f"{thousands(int(detail))} trang" if detail.isdigit() else f"hơn {thousands(max_pages)} trang"
        return (f"tệp «{ref}» có {pages}, vượt quá {thousands(max_pages)} trang cho phép của một tệp minh chứng.",
                f"Hãy chỉ giữ các trang làm minh chứng cho tiêu chí, hoặc tách thành nhiều tệp "
                f"(mỗi tệp tối đa {thousands(max_pages)} trang).")
    if code == "pdf-active-content":
        what = PDF_ACTIVE_KINDS.get(detail, "nội dung tự chạy")
        return (f"tệp «{ref}» chứa {what}; tệp như vậy không an toàn để đăng công khai.", REPRINT)
    if code == "pdf-too-complex":
        return (f"tệp «{ref}» có cấu trúc quá phức tạp để kiểm tra an toàn.", REPRINT)
    return (f"tệp «{ref}» bị hỏng, không mở được.", "Hãy xuất lại tệp PDF từ tài liệu gốc và tải lên.")
