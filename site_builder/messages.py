"""Every Vietnamese sentence the validator says, in one place.

A fixed sentence is a `Message` record: a stable code, the subject (where), what is wrong and what
to do, as templates filled with the values of the case. A sentence that depends on the case beyond
filling in values (which YAML mistake libyaml saw, which type was expected) is a function here that
returns `(message, fix)`. Keeping the wording here (not scattered through the checks) lets us review
the language as a whole, say each error one way, and test it.
"""

from __future__ import annotations

from dataclasses import dataclass

from site_builder.numbers import as_typed, thousands
from site_builder.paths import REPORTS_FOLDER
from site_builder.problems import ERROR, WARNING, Problem


@dataclass(frozen=True)
class Message:
    """One thing the validator says. Templates take `str.format` fields named by the call site."""

    code: str
    subject: str
    message: str
    fix: str = ""
    severity: str = ERROR

    def text(self, /, **values) -> tuple[str, str]:
        """(message, fix) for these values."""
        return self.message.format(**values), self.fix.format(**values)

    def at(self, path: str, line: int = 1, column: int = 1, /, **values) -> Problem:
        """The problem on a file (or a line of it) that has no parsed document."""
        message, fix = self.text(**values)
        return Problem(path, line, column, self.subject.format(**values), message, fix, self.code, self.severity)

    def on(self, doc, where, /, key: bool = False, **values) -> Problem:
        """The problem on a field of a parsed YAML document (`doc.problem` finds its line; `key`: at the
        field's name rather than its value). Templates never name a field {key}."""
        message, fix = self.text(**values)
        return doc.problem(
            where, self.subject.format(**values), message, fix, code=self.code, key=key, severity=self.severity
        )


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

FILE_TOO_LARGE = Message(
    "file-too-large",
    "",
    "tệp quá lớn ({size} byte, tối đa {limit} byte).",
    "Hãy kiểm tra lại: tệp khai báo chỉ chứa chữ; tài liệu đính kèm là tệp PDF riêng.",
)
FILE_SYMLINK = Message(
    "file-symlink",
    "",
    "tệp là liên kết (symlink), không phải tệp dữ liệu thật.",
    "Hãy xoá liên kết và tải lên chính tệp .yaml.",
)
UNCLOSED_QUOTE = Message(
    "yaml-syntax",
    "",
    "dấu nháy mở ở dòng này chưa được đóng ({where}).",
    "Hãy thêm dấu nháy đóng ở cuối giá trị, trên cùng dòng.",
)
UNCLOSED_QUOTE_SEEN_AT = "lỗi lộ ra ở dòng {line}"  # {where} of UNCLOSED_QUOTE
UNCLOSED_QUOTE_TO_END = "đến hết tệp vẫn không thấy dấu nháy đóng"
UNREADABLE = Message(
    "unreadable", "", "không đọc được tệp.", "Hãy kiểm tra tệp còn tồn tại và không bị khoá ({reason})."
)
NOT_UTF8 = Message(
    "encoding",
    "",
    "tệp không được lưu bằng bảng mã UTF-8.",
    "Hãy lưu lại tệp với bảng mã UTF-8 (trình soạn thảo của GitHub luôn dùng UTF-8).",
)
BINARY_FILE = Message(
    "encoding",
    "",
    "tệp chứa dữ liệu nhị phân, không phải văn bản YAML.",
    "Hãy chắc chắn đây là tệp .yaml dạng chữ, không phải tệp Word/PDF đổi tên.",
)
EMPTY_FILE = Message("empty-file", "", "tệp trống.", "Hãy điền nội dung theo mẫu (xem hướng dẫn cho đơn vị).")
TOO_DEEP = Message(
    "too-deep",
    "",
    "cấu trúc lồng nhau quá sâu (quá {limit} tầng).",
    "Tệp khai báo chỉ cần vài tầng thụt lề; hãy viết lại theo mẫu.",
)
ALIAS_USED = Message(
    "yaml-alias",
    "",
    "tệp dùng neo/bí danh YAML (& và *), không được phép ở đây.",
    "Hãy viết đầy đủ từng giá trị thay vì tham chiếu bằng & và *.",
)
MERGE_KEY = Message(
    "yaml-alias", "", "tệp dùng khoá gộp YAML (<<), không được phép ở đây.", "Hãy viết đầy đủ từng trường thay vì gộp."
)
CUSTOM_TAG = Message(
    "yaml-tag", "", "thẻ YAML «{tag}» không được hỗ trợ.", "Hãy xoá thẻ bắt đầu bằng dấu ! ở dòng này."
)
COMPLEX_KEY = Message(
    "yaml-key",
    "",
    "tên trường phải là một chữ hoặc số đơn giản.",
    "Hãy viết tên trường trên một dòng, theo sau là dấu hai chấm.",
)
DUPLICATE_KEY = Message(
    "duplicate-key",
    "{place}",
    "trường «{name}» xuất hiện hai lần (lần đầu ở dòng {first_line}).",
    "Hãy gộp nội dung vào một chỗ và xoá dòng trùng; nếu không, một trong hai sẽ bị bỏ qua.",
)
INVISIBLE_CHARACTER = Message(
    "control-character",
    "{place}",
    "văn bản chứa ký tự ẩn U+{code_point} (ký tự điều khiển), có thể làm chữ hiển thị sai lệch.",
    "Hãy gõ lại đoạn văn bản này, không dán từ nguồn khác.",
)
CONTROL_CHARACTER_IN_FILE = Message(
    "control-character",
    "",
    "tệp chứa ký tự điều khiển U+{code_point} không hợp lệ (ký tự ẩn, thường do dán từ nguồn khác).",
    "Hãy gõ lại dòng này, không dán từ nguồn khác.",
)
ODD_LINE_BREAK_IN_FILE = Message(
    "control-character",
    "",
    "tệp chứa ký tự ngắt dòng lạ U+{code_point} (ký tự ẩn, thường do dán từ nguồn khác): trình soạn thảo "
    "không xuống dòng ở đó nhưng YAML thì có, nên mọi số dòng sau nó sẽ lệch.",
    "Hãy xoá ký tự này (gõ lại dòng này), không dán từ nguồn khác.",
)
LONE_CARRIAGE_RETURN_IN_FILE = Message(
    "control-character",
    "",
    "tệp có ký tự xuống dòng CR (U+{code_point}) đứng riêng, không kèm LF (kiểu của máy Mac đời cũ, hoặc do "
    "dán từ nguồn khác): GitHub không tính đó là một dòng mới nhưng YAML thì có, nên mọi số dòng sau "
    "nó sẽ lệch.",
    "Hãy lưu tệp với kiểu xuống dòng LF (hoặc CRLF của Windows), hoặc gõ lại dòng này trên GitHub.",
)
YAML_UNREADABLE = Message(
    "yaml-syntax", "", "không đọc được nội dung YAML.", "Hãy so sánh với tệp mẫu và sửa lại cú pháp."
)


def code_point(char: str) -> str:
    return f"{ord(char):04X}"


def shown_tag(tag: str) -> str:
    """`tag:yaml.org,2002:str` as a person writes it: `!!str`."""
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag


def _yaml(message: str, fix: str) -> Message:
    return Message("yaml-syntax", "", message, fix)


YAML_TAB = _yaml(
    "dòng này thụt lề bằng phím Tab.",
    "YAML chỉ chấp nhận dấu cách: hãy xoá Tab và thụt lề bằng dấu cách (mỗi tầng 2 dấu cách).",
)
YAML_COLON_MISPLACED = _yaml(
    "dấu hai chấm «:» đặt sai chỗ.",
    'Nếu giá trị có chứa dấu hai chấm, hãy đặt cả giá trị trong dấu nháy kép "..."; '
    "nếu không, hãy kiểm tra thụt lề của dòng này.",
)
YAML_COLON_MISSING = _yaml("thiếu dấu hai chấm «:» sau tên trường.", "Hãy viết theo dạng «ten_truong: giá trị».")
YAML_TOP_INDENTED = _yaml(
    "thụt lề không đúng: các trường ngoài cùng (don_vi, nam_hoc, tieu_chi, …) phải bắt đầu ở đầu dòng.",
    "Hãy xoá dấu cách ở đầu dòng này và các dòng cùng cấp.",
)
YAML_INDENT = _yaml(
    "thụt lề không đúng.", "Các trường cùng cấp phải thẳng cột với nhau; mỗi tầng lùi vào 2 dấu cách so với tầng trên."
)
YAML_LIST = _yaml(
    "danh sách viết sai.", "Mỗi phần tử danh sách bắt đầu bằng «- » (gạch ngang và một dấu cách), thẳng cột nhau."
)
YAML_BACKSLASH = _yaml(
    "trong dấu nháy kép, dấu gạch ngược «\\» bắt đầu một ký tự đặc biệt (ví dụ đường dẫn C:\\Users…).",
    "Hãy dùng dấu gạch chéo «/», hoặc đặt giá trị trong dấu nháy đơn '...'; minh chứng chỉ cần ghi tên tệp.",
)
YAML_QUOTE = _yaml(
    "dấu nháy chưa được đóng hoặc viết sai.", 'Hãy kiểm tra mỗi dấu nháy mở " đều có dấu nháy đóng " trên cùng dòng.'
)
YAML_BAD_START = _yaml(
    "dòng này có ký tự không hợp lệ ở đầu giá trị (ví dụ *, &, @, `, %, ?, |, >, ], }}).",
    'Hãy đặt giá trị trong dấu nháy kép "...".',
)
YAML_DOCUMENTS = _yaml(
    "tệp chứa nhiều tài liệu YAML (có dòng «---» ở giữa).",
    "Mỗi tệp chỉ chứa một bài tự đánh giá: hãy xoá dòng «---» và phần thừa.",
)
YAML_BRACKETS = _yaml("ngoặc vuông/ngoặc nhọn chưa được đóng.", "Hãy kiểm tra các dấu [ ] và {{ }} đi theo cặp.")
YAML_CONTROL = _yaml("tệp chứa ký tự điều khiển không hợp lệ.", "Hãy gõ lại dòng này, không dán từ nguồn khác.")
YAML_OTHER = _yaml("cú pháp YAML không hợp lệ.", "Hãy so sánh dòng này với tệp mẫu (thụt lề, dấu hai chấm, dấu nháy).")


def yaml_syntax(problem: str, context: str, source_line: str) -> Message:
    """Which wording fits libyaml's English: it says what the parser expected, the clerk needs what to fix."""
    p, c = problem.lower(), context.lower()
    if "\t" in source_line[: len(source_line) - len(source_line.lstrip())] or "'\\t'" in p:
        return YAML_TAB
    if "mapping values are not allowed" in p:
        return YAML_COLON_MISPLACED
    if "could not find expected ':'" in p:
        return YAML_COLON_MISSING
    if "expected <document start>" in p:
        return YAML_TOP_INDENTED
    if "expected <block end>" in p or "did not find expected key" in p or "expected <block mapping start>" in p:
        return YAML_INDENT
    if "did not find expected '-'" in p or "block sequence entries are not allowed" in p:
        return YAML_LIST
    if ("escape" in p or "hexdecimal" in p or "hexadecimal" in p) and "quoted scalar" in c:
        return YAML_BACKSLASH
    if "found unexpected end of stream" in p or "found unknown escape" in p or "while scanning a quoted scalar" in c:
        return YAML_QUOTE
    if (
        "found undefined alias" in p
        or "found character that cannot start any token" in p
        or "did not find expected node content" in p
        or "mapping keys are not allowed" in p
        or "while scanning a block scalar" in c
    ):
        return YAML_BAD_START
    if "but found another document" in p or "expected a single document" in p:
        return YAML_DOCUMENTS
    if "expected ',' or ']'" in p or "expected ',' or '}'" in p:
        return YAML_BRACKETS
    if "control characters are not allowed" in p or "special characters are not allowed" in p:
        return YAML_CONTROL
    return YAML_OTHER


# ---------------------------------------------------------------- schema translations


def json_type_name(type_name) -> str:
    names = {
        "string": "chữ",
        "number": "số",
        "integer": "số nguyên",
        "object": "nhóm trường",
        "array": "danh sách",
        "boolean": "true hoặc false",
        "null": "để trống",
    }
    if isinstance(type_name, list):
        return " hoặc ".join(names.get(t, str(t)) for t in type_name)
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


# What a pattern means, for the message (the regex itself helps nobody).
PATTERN_HINTS = {
    "don_vi": "mã đơn vị (chữ thường không dấu, số và dấu gạch ngang, ví dụ thcs-demo-a)",
    "nam_hoc": 'năm học (ví dụ "2023-2024")',
    "nguoi_cham": "tài khoản GitHub",
    "id": "mã (chữ thường không dấu, số và dấu gạch ngang)",
    "parent": "mã đơn vị quản lý",
    "website": "địa chỉ web bắt đầu bằng https://",
    "tieu_chi": 'mã tiêu chí (ví dụ "3.2")',
    "body": "mã đơn vị quản lý",
    "replaces": "mã đơn vị",
}
PATTERN_HINT = "yêu cầu"  # a value's pattern with no hint above
KEY_HINT = "tên trường"  # a key's pattern with no hint above
BAD_KEY = Message(
    "bad-key", "{place}", "«{value}» không phải {hint} hợp lệ.", "Hãy kiểm tra lại mã theo danh mục tiêu chí hoặc mẫu."
)
BLOCK_STARTS = " (Khối bắt đầu ở dòng {line}.)"  # added to a YAML syntax fix when the block began elsewhere


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
        fix = 'Hãy đặt giá trị trong dấu nháy kép "...".'
    return (f"phải là {json_type_name(expected)}, nhưng đang là {describe_value(value)}.", fix)


UNKNOWN_KEY = Message("unknown-key", "{place}", "trường «{name}» không có trong mẫu.", "{hint}")
UNKNOWN_KEY_SUGGESTION = "Có phải bạn muốn viết «{suggestion}»?"  # {hint} of UNKNOWN_KEY, best first
UNKNOWN_KEY_ALLOWED = "Các trường được phép: {allowed}."
UNKNOWN_KEY_REMOVE = "Hãy xoá trường này."
MISSING_KEY = Message(
    "missing-key", "{place}", "thiếu trường bắt buộc «{name}»{named}.", "Hãy thêm dòng «{name}: ...» theo mẫu."
)
BAD_PATTERN = Message(
    "bad-format",
    "{place}",
    "giá trị {value} không đúng định dạng {what}.",
    "Hãy viết lại đúng định dạng {what}; xem tệp mẫu.",
)
BAD_VALUE = Message("bad-value", "{place}", "giá trị {value} không hợp lệ.", "Chỉ được chọn một trong: {allowed}.")
BAD_DATE = Message(
    "bad-date", "{place}", "ngày {value} không hợp lệ.", "Hãy viết ngày theo dạng NĂM-THÁNG-NGÀY, ví dụ 2024-06-12."
)


def unknown_key_hint(suggestion: str | None, allowed: list[str]) -> str:
    if suggestion:
        return UNKNOWN_KEY_SUGGESTION.format(suggestion=suggestion)
    return UNKNOWN_KEY_ALLOWED.format(allowed=", ".join(allowed)) if allowed else UNKNOWN_KEY_REMOVE


def key_label(key: str) -> str:
    """ " (mã đơn vị)" after `don_vi` in a message; nothing for a key without a label."""
    label = FIELD_LABELS.get(key, key).removesuffix(f" ({key})")
    return f" ({label})" if label != key else ""


def shown_date(value) -> str:
    return f"«{value}»" if isinstance(value, str) else describe_value(value)


TOO_LONG = Message(
    "too-long",
    "{place}",
    "nội dung quá dài (tối đa {limit} ký tự).",
    "Hãy rút gọn; chi tiết để trong tệp PDF minh chứng.",
)
TOO_MANY = Message("too-many", "{place}", "danh sách quá dài (tối đa {limit} mục).", "Hãy giữ lại các mục chính.")
EMPTY_TEXT = Message("empty", "{place}", "không được để trống.", "Hãy điền nội dung hoặc xoá cả dòng.")
SCHEMA_GENERIC = Message("schema", "{place}", "giá trị không đúng mẫu.", "Hãy so sánh với tệp mẫu.")


# ---------------------------------------------------------------- milestones and reviews

MILESTONE_MISSING_FOR_POINTS = Message(
    "milestone-missing",
    "tiêu chí {item}",
    "có điểm nhưng đơn vị chưa nộp «{title}» (hạn {due}); tiêu chí này chỉ được tính khi báo cáo đó nộp đúng hạn.",
    "Hãy nộp báo cáo (một tệp PDF) vào thư mục {folder}; nếu chưa có, hãy chấm 0 điểm. Người chấm sẽ xem xét.",
    WARNING,
)
REVIEW_EVIDENCE_REQUIRED = Message(
    "review-evidence-required",
    "tiêu chí {item}",
    "chấm điểm trên 0 nhưng bài của đơn vị không có minh chứng bắt buộc ({kinds}) cho tiêu chí này.",
    "Hãy chấm 0 điểm, hoặc chờ đơn vị bổ sung minh chứng rồi chấm lại.",
)


def evidence_kinds(kinds) -> str:
    """The kinds of evidence an item asks for, as one phrase: "tệp PDF hoặc địa chỉ website của đơn vị"."""
    return " hoặc ".join(EVIDENCE_KIND_LABELS[k] for k in kinds)


# ---------------------------------------------------------------- evidence references (links and file names)
# The subject is the reference's place in the file (subject_for), given by the caller.

URL_INVALID = Message(
    "bad-url", "", "đường link «{ref}» không hợp lệ.", "Hãy sao chép lại đường link từ thanh địa chỉ trình duyệt."
)
URL_SCHEME = Message(
    "url-scheme",
    "",
    "đường link dùng giao thức «{scheme}:», không được phép.",
    "Chỉ chấp nhận đường link bắt đầu bằng https:// (hoặc http://).",
)
URL_SPACE = Message("bad-url", "", "đường link có dấu cách.", "Hãy xoá dấu cách hoặc thay bằng %20.")
URL_CREDENTIALS = Message(
    "url-credentials",
    "",
    "đường link chứa tên đăng nhập hoặc mật khẩu (phần trước dấu @).",
    "Hãy xoá phần tên đăng nhập/mật khẩu; minh chứng phải xem được công khai.",
)
URL_PRIVATE = Message(
    "url-private",
    "",
    "đường link «{ref}» trỏ tới địa chỉ mạng nội bộ, người xem bên ngoài không mở được.",
    "Hãy dùng địa chỉ công khai trên website của đơn vị, ví dụ https://thcs-abc.edu.vn/cong-khai",
)
URL_NO_DOMAIN = Message(
    "bad-url", "", "đường link «{ref}» thiếu tên miền hợp lệ.", "Ví dụ đúng: https://thcs-abc.edu.vn/cong-khai"
)
URL_WITHOUT_SCHEME = Message("url-scheme", "", "đường link thiếu phần đầu https://.", "Hãy ghi «https://{ref}».")
PATH_ABSOLUTE = Message(
    "path-absolute",
    "",
    "không được dùng đường dẫn tuyệt đối.",
    "Hãy chỉ ghi tên tệp trong thư mục {unit}/, ví dụ «ke-hoach.pdf».",
)
PATH_BACKSLASH = Message(
    "path-backslash", "", "đường dẫn dùng dấu gạch ngược «\\».", "Hãy dùng dấu gạch chéo «/» hoặc chỉ ghi tên tệp."
)
PATH_TRAVERSAL = Message(
    "path-traversal",
    "",
    "đường dẫn trỏ ra ngoài thư mục của đơn vị («..»).",
    "Minh chứng phải nằm trong thư mục {unit}/ của đơn vị; hãy chỉ ghi tên tệp.",
)
PATH_PREFIX = Message("path-prefix", "", "đường dẫn không cần bắt đầu bằng «{unit}/».", "Hãy ghi «{rest}».")
NOT_PDF_NAME = Message(
    "not-pdf-name",
    "",
    "«{ref}» không phải tệp PDF.",
    "Minh chứng là tệp PDF (đuôi .pdf) hoặc đường link https://; hãy chuyển tài liệu sang PDF.",
)
FILE_MISSING = Message("file-missing", "", "không tìm thấy tệp «{ref}» trong thư mục {unit}/.", "{hint}")
FILE_MISSING_HINT = "Hãy tải tệp lên thư mục của đơn vị (nút «Add file» → «Upload files») hoặc sửa tên cho khớp."
FILE_MISSING_CLOSE = "Trong thư mục có tệp «{name}»: có phải bạn muốn ghi tên này?{case}"
FILE_MISSING_CASE = " (Tên tệp phân biệt chữ hoa, chữ thường.)"
EVIDENCE_SYMLINK = Message(
    "path-symlink",
    "",
    "tệp «{ref}» là liên kết (symlink) trỏ ra ngoài thư mục của đơn vị.",
    "Hãy tải lên chính tệp PDF thay vì liên kết.",
)
NOT_A_FILE = Message("file-missing", "", "«{ref}» không phải là một tệp.", "Hãy ghi tên một tệp PDF.")
PDF_TOO_LARGE = Message(
    "pdf-too-large",
    "",
    "tệp «{ref}» quá lớn ({size} MB, tối đa {limit} MB).",
    "Hãy nén tệp PDF (giảm độ phân giải ảnh quét) hoặc tách thành nhiều tệp.",
)

# ---------------------------------------------------------------- evidence PDFs
# The verdict on a PDF is cached by content, so it carries no file name: these take the name the
# unit typed and say what is wrong with that file and how to fix it.

REPRINT = (
    "Hãy mở tệp và in lại thành PDF (chọn In → máy in «Microsoft Print to PDF», hoặc «Lưu dưới dạng PDF»), "
    "rồi tải tệp mới lên thay tệp này."
)

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


PDF_FAKE = Message(
    "pdf-fake",
    "",
    "tệp «{ref}» có đuôi .pdf nhưng không phải tệp PDF thật.",
    "Hãy mở tài liệu gốc và chọn Lưu dưới dạng PDF (Save as PDF), rồi tải lên lại.",
)
PDF_TRUNCATED = Message(
    "pdf-truncated",
    "",
    "tệp «{ref}» bị hỏng hoặc tải lên chưa hết (thiếu phần kết thúc của PDF).",
    "Hãy tải lên lại tệp PDF.",
)
PDF_ENCRYPTED = Message(
    "pdf-encrypted",
    "",
    "tệp «{ref}» có mật khẩu hoặc bị mã hoá, người xem không mở được.",
    "Hãy lưu lại tệp PDF không đặt mật khẩu rồi tải lên.",
)
PDF_EMPTY = Message("pdf-empty", "", "tệp «{ref}» không có trang nào.", "Hãy tải lên tệp PDF có nội dung.")
PDF_TOO_MANY_PAGES = Message(
    "pdf-too-many-pages",
    "",
    "tệp «{ref}» có {pages}, vượt quá {limit} trang cho phép của một tệp minh chứng.",
    "Hãy chỉ giữ các trang làm minh chứng cho tiêu chí, hoặc tách thành nhiều tệp (mỗi tệp tối đa {limit} trang).",
)
PAGES = "{count} trang"  # {pages} of PDF_TOO_MANY_PAGES when the count is known
MORE_PAGES = "hơn {count} trang"  # when the check stopped counting
PDF_ACTIVE_CONTENT = Message(
    "pdf-active-content", "", "tệp «{ref}» chứa {what}; tệp như vậy không an toàn để đăng công khai.", REPRINT
)
ACTIVE_CONTENT = "nội dung tự chạy"  # {what} for a kind not in PDF_ACTIVE_KINDS
PDF_TOO_COMPLEX = Message("pdf-too-complex", "", "tệp «{ref}» có cấu trúc quá phức tạp để kiểm tra an toàn.", REPRINT)
PDF_BROKEN = Message(
    "pdf-broken", "", "tệp «{ref}» bị hỏng, không mở được.", "Hãy xuất lại tệp PDF từ tài liệu gốc và tải lên."
)
PDF_VERDICTS = {
    m.code: m
    for m in (
        PDF_FAKE,
        PDF_TRUNCATED,
        PDF_ENCRYPTED,
        PDF_EMPTY,
        PDF_TOO_MANY_PAGES,
        PDF_ACTIVE_CONTENT,
        PDF_TOO_COMPLEX,
    )
}


def pdf_problem(code: str, detail: str, ref: str, max_pages: int) -> tuple[str, str]:
    """(message, fix) for a PDF verdict code from pdf_safety (any other code: the file is broken)."""
    limit = thousands(max_pages)
    pages = PAGES.format(count=thousands(int(detail))) if detail.isdigit() else MORE_PAGES.format(count=limit)
    return PDF_VERDICTS.get(code, PDF_BROKEN).text(
        ref=ref, pages=pages, limit=limit, what=PDF_ACTIVE_KINDS.get(detail, ACTIVE_CONTENT)
    )


# ---------------------------------------------------------------- where files are (tree walk, pull requests)


def listed(items, none: str = "(chưa có)") -> str:
    """Ids in a sentence: "a, b, c", or what to say when there are none."""
    return ", ".join(items) or none


FOLDER_LEVELS = {"period": "năm học", "body": "đơn vị quản lý", "unit": "đơn vị"}  # {what} of FOLDER_NAME_INVALID
REPORT_SUBJECT = "báo cáo {milestone}"
NO_MILESTONES = "(năm học này không có mốc báo cáo nào)"
NOT_DECLARED = "(chưa khai báo)"

PERIOD_UNKNOWN_TEXT = "«{period}» không phải năm học nào có trong criteria/ (các năm học hiện có: {known})."

PERIOD_UNKNOWN = Message(
    "period-unknown", "năm học", PERIOD_UNKNOWN_TEXT, "Hãy đặt tệp vào thư mục năm học đúng, ví dụ {example}."
)
REGISTRY_PERIOD_UNKNOWN = Message(
    "period-unknown",
    "danh sách đơn vị",
    PERIOD_UNKNOWN_TEXT,
    "Hãy tạo criteria/{period}/ trước (site-builder new-year {period} --from <năm học trước>) hoặc đặt danh "
    "sách vào thư mục năm học đúng.",
)
REGISTRY_MISSING = Message(
    "registry-missing",
    "danh sách đơn vị",
    "năm học {period} đã có bài nộp nhưng chưa có danh sách đơn vị.",
    "Hãy tạo {folder}/ (ví dụ: site-builder new-year {period} --from <năm học trước>).",
)
UNIT_UNREGISTERED = Message(
    "unit-unknown",
    "đơn vị",
    "đơn vị «{unit}» không có trong danh sách năm học {period} thuộc «{body}» ({registry}).",
    "Hãy kiểm tra mã đơn vị (tên tệp) và thư mục đơn vị quản lý; đơn vị mới cần được người quản trị bổ sung vào "
    "danh sách trước khi nộp tệp.",
)
UNIT_INACTIVE = Message(
    "unit-inactive",
    "đơn vị",
    "đơn vị «{unit}» không có trong danh sách năm học {period} ({registry}/); đơn vị có "
    "trong danh sách năm học {others}.",
    "Hãy kiểm tra lại năm học của tệp; nếu đơn vị vẫn hoạt động, đề nghị người quản trị bổ sung đơn vị vào danh "
    "sách năm học này.",
)
WRONG_PARENT = Message(
    "wrong-parent",
    "vị trí tệp",
    "đơn vị «{unit}» thuộc «{parent}», không thuộc «{folder}».",
    "Hãy chuyển tệp sang {path}.",
)
MISPLACED = Message(
    "misplaced",
    "vị trí tệp",
    "tệp nằm sai chỗ: bài tự đánh giá đặt tại submissions/<năm học>/<đơn vị quản lý>/<mã đơn vị>.yaml, "
    "minh chứng trong thư mục <mã đơn vị>/ bên cạnh.",
    "Hãy chuyển tệp về đúng thư mục.",
)
FOLDER_NAME_INVALID = Message(
    "misplaced",
    "vị trí tệp",
    "tên thư mục {what} «{part}» không hợp lệ: chỉ gồm chữ thường không dấu, số và dấu gạch ngang.",
    "Hãy đặt tệp theo mẫu submissions/<năm học>/<đơn vị quản lý>/<mã đơn vị>.yaml và minh chứng trong thư mục "
    "<mã đơn vị>/ bên cạnh.",
)
FOLDER_SYMLINK = Message(
    "path-symlink",
    "vị trí tệp",
    "thư mục là liên kết (symlink): dữ liệu phải nằm thật trong kho, không trỏ sang nơi khác.",
    "Hãy xoá liên kết và đặt các tệp vào đúng thư mục.",
)
NOT_REGULAR_FILE = Message(
    "not-regular-file",
    "loại tệp",
    "tệp là liên kết (symlink) hoặc kho con, không được phép.",
    "Hãy tải lên chính tệp thay vì liên kết.",
)
UNSAFE_PATH = Message(
    "unsafe-path",
    "tên tệp",
    "đường dẫn có phần «..», «.git» hoặc phần rỗng.",
    "Hãy đặt tên tệp và thư mục bằng chữ, số và dấu gạch ngang.",
)
GIT_CONTROL_FILE = Message(
    "git-control-file",
    "tệp điều khiển git",
    "tệp «{name}» quy định cách git đọc, xuất hoặc bỏ qua các tệp; không được đặt trong submissions/.",
    "Hãy xoá tệp này khỏi yêu cầu.",
)
WRONG_EXTENSION = Message(
    "wrong-extension",
    "tên tệp",
    "tệp «{name}» có đuôi khác .yaml: hệ thống chỉ nhận bài tự đánh giá tên <mã đơn vị>.yaml.",
    "Hãy đổi tên tệp thành {unit}.yaml (nếu đã có tệp {unit}.yaml, hãy xoá tệp này).",
)
UNIT_FILED_TWICE = Message(
    "unit-filed-twice",
    "tệp",
    "đơn vị «{unit}» có hai bài tự đánh giá trong cùng năm học (tệp này và {other}).",
    "Mỗi đơn vị chỉ nộp một tệp, trong thư mục của đơn vị quản lý của mình: hãy xoá tệp thừa.",
)
EVIDENCE_ORPHAN = Message(
    "evidence-orphan",
    "thư mục minh chứng",
    "không có bài tự đánh giá {unit}.yaml đi kèm thư mục này.",
    f"Hãy kiểm tra tên thư mục trùng với mã đơn vị, hoặc xoá thư mục (báo cáo theo mốc đặt trong "
    f"{REPORTS_FOLDER}/<mã mốc>/ thì không cần).",
    WARNING,
)
STRAY_FILE = Message(
    "stray-file",
    "tệp {name}",
    f"thư mục của đơn vị chỉ chứa tệp PDF (minh chứng) và thư mục {REPORTS_FOLDER}/.",
    "Hãy chuyển tài liệu sang PDF, hoặc xoá tệp này.",
)
FILE_UNUSED = Message(
    "file-unused",
    "tệp {name}",
    "đã tải lên nhưng chưa được dùng làm minh chứng cho tiêu chí nào.",
    "Hãy thêm tên tệp vào «minh_chung» của tiêu chí tương ứng, hoặc xoá tệp.",
    WARNING,
)

# ---------------------------------------------------------------- milestone reports (bao-cao/<milestone>/)

REPORT_OUTSIDE_MILESTONE = Message(
    "misplaced",
    "báo cáo theo mốc",
    f"báo cáo phải nằm trong {REPORTS_FOLDER}/<mã mốc>/<tên tệp>.pdf.",
    f"Hãy chuyển tệp vào thư mục của mốc, ví dụ {REPORTS_FOLDER}/ke-hoach/.",
)
REPORT_FOLDER_NESTED = Message(
    "misplaced",
    "vị trí tệp",
    "thư mục báo cáo chỉ chứa một tệp PDF, không chứa thư mục con hay liên kết.",
    "Hãy xoá mục này.",
)
REPORT_UNKNOWN_MILESTONE = Message(
    "milestone-unknown",
    "mốc báo cáo",
    "năm học {period} không có mốc báo cáo «{milestone}».",
    f"Hãy đặt báo cáo vào thư mục {REPORTS_FOLDER}/<mã mốc>/ với mã mốc là một trong: {{known}}.",
)
REPORT_NOT_OWED = Message(
    "milestone-not-owed",
    REPORT_SUBJECT,
    "loại đơn vị «{unit_type}» không phải nộp «{title}».",
    "Báo cáo này không được tính; nếu nộp nhầm thư mục, hãy chuyển tệp sang đúng mốc hoặc xoá.",
    WARNING,
)
REPORT_SEVERAL_FILES = Message(
    "report-several",
    REPORT_SUBJECT,
    "mỗi mốc chỉ nhận một tệp PDF, thư mục đang có {count} tệp: {names}.",
    "Hãy giữ lại một tệp (bản mới nhất) và xoá các tệp còn lại; thời điểm nộp lần đầu vẫn được ghi nhận.",
)
REPORT_NOT_PDF = Message(
    "report-not-pdf",
    REPORT_SUBJECT,
    "tệp «{name}» không phải PDF: báo cáo theo mốc phải là một tệp PDF.",
    "Hãy lưu báo cáo thành PDF (Tệp → Lưu thành PDF) rồi tải lên lại, và xoá tệp này.",
)

# ---------------------------------------------------------------- organisation and registry

ORGANIZATION_MISSING = Message(
    "missing-file", "tệp đơn vị chủ trì", "không tìm thấy tệp.", "Hãy tạo {path} theo mẫu trong CONTRIBUTING.md."
)
BODY_MISMATCH = Message(
    "parent-mismatch",
    "đơn vị quản lý",
    "giá trị «{declared}» khác tên tệp «{body}».",
    "Hãy sửa thành «{body}» hoặc đổi tên tệp.",
)
UNIT_DUPLICATE = Message(
    "unit-duplicate",
    "đơn vị {unit}",
    "mã đơn vị «{unit}» đã được khai báo ở {first}.",
    "Mỗi đơn vị chỉ được khai báo một lần trong một năm học, trong tệp của đơn vị quản lý nó.",
)
DECLARED_ABOVE = "dòng {line} của tệp này"  # {first} of UNIT_DUPLICATE
DECLARED_IN = "{path} (dòng {line})"
DECLARED_IN_ORGANIZATION = "tệp đơn vị chủ trì ({path})"
EDITOR_IS_REVIEWER = Message(
    "editor-is-reviewer",
    "đơn vị {unit}",
    "«{account}» vừa là người soạn vừa là người chấm của đơn vị: không ai được tự chấm bài của mình.",
    "Hãy bỏ tài khoản này khỏi editors hoặc khỏi reviewers.",
)
REPLACES_SELF = Message(
    "replaces-self", "đơn vị {unit}", "đơn vị không thể kế thừa chính mình.", "Hãy xoá mã này khỏi replaces."
)
REPLACES_UNKNOWN = Message(
    "replaces-unknown",
    "đơn vị {unit}",
    "replaces: không có đơn vị «{old}» trong danh sách của năm học nào.",
    "Hãy ghi đúng mã đơn vị cũ.",
)
REPLACES_ACTIVE = Message(
    "replaces-active",
    "đơn vị {unit}",
    "replaces: đơn vị «{old}» vẫn còn trong danh sách năm học {period}.",
    "Đơn vị được kế thừa không còn hoạt động ở năm học này: hãy xoá nó khỏi danh sách, hoặc bỏ mã khỏi replaces.",
)
BODY_REDECLARED = Message(
    "body-redeclared",
    "đơn vị quản lý",
    "«{body}» là một đơn vị trong danh sách năm học {period}: tên và cấp trên lấy từ danh sách đó, không khai "
    "báo lại ở đây.",
    "Hãy xoá name và parent khỏi tệp này.",
)
BODY_UNKNOWN = Message(
    "parent-unknown",
    "đơn vị quản lý",
    "«{body}» không phải mã của Sở hay của đơn vị nào trong danh sách năm học {period}.",
    "Nếu đây là đơn vị quản lý không được đánh giá (ví dụ Phòng Văn hoá – Xã hội của một phường), hãy khai báo "
    "name (tên) và parent (cấp trên) trong tệp này.",
)
PARENT_CYCLE = Message(
    "parent-cycle",
    "đơn vị quản lý {body}",
    "chuỗi đơn vị quản lý bị vòng lặp.",
    "Hãy kiểm tra cấp trên (parent) của các đơn vị quản lý.",
)
PARENT_UNKNOWN = Message(
    "parent-unknown",
    "đơn vị quản lý {body}",
    "cấp trên «{parent}» không có trong danh sách năm học {period}.",
    "Hãy sửa parent thành mã của Sở hoặc của một đơn vị quản lý khác.",
)

# ---------------------------------------------------------------- periods and catalogues (maintainers' files)

PERIOD_MISMATCH_FOLDER = Message(
    "period-mismatch", "kỳ đánh giá", "giá trị «{declared}» khác tên thư mục «{period}».", "Hãy sửa thành «{period}»."
)
CATALOGUE_TYPE = Message(
    "catalogue-type", "loại đơn vị", "«{declared}» khác tên tệp «{unit_type}».", "Hãy sửa thành «{unit_type}»."
)
CATALOGUE_SUM = Message(
    "catalogue-sum",
    "nhóm {group}",
    "điểm tối đa {max} khác tổng các tiêu chí {total}.",
    "Hãy sửa điểm tối đa của nhóm hoặc của tiêu chí.",
)
CATALOGUE_DUPLICATE = Message(
    "catalogue-duplicate", "tiêu chí {item}", "mã tiêu chí bị trùng.", "Mỗi tiêu chí cần một mã riêng."
)
CATALOGUE_STEP = Message(
    "catalogue-step",
    "tiêu chí {item}",
    "điểm tối đa {max} không chia hết cho bước {step}.",
    "Hãy chọn điểm tối đa là bội của {step}.",
)
CATALOGUE_BANDS = Message(
    "catalogue-bands",
    "tiêu chí {item}",
    "các mức phải xếp từ cao xuống thấp và mức cuối bắt đầu từ 0%.",
    "Hãy sắp xếp lại min_percent giảm dần và đặt min_percent: 0 cho mức cuối.",
)
CATALOGUE_DERIVED_EVIDENCE = Message(
    "catalogue-derived",
    "tiêu chí {item}",
    "tiêu chí tính tự động không nhận minh chứng.",
    "Hãy xoá khối evidence của tiêu chí này.",
)
RATING_FALLBACK = Message(
    "rating-fallback",
    "xếp loại",
    "mức cuối cùng phải không có điều kiện (when: {{}}), để mọi đơn vị đều được xếp loại.",
    "Hãy thêm một mức cuối «when: {{}}» (ví dụ mức Yếu).",
)
MILESTONE_DUPLICATE = Message(
    "milestone-duplicate", "mốc báo cáo", "mã «{milestone}» bị trùng.", "Mỗi mốc báo cáo cần một mã riêng."
)
UNIT_TYPE_UNKNOWN = Message(
    "unit-type-unknown", "mốc {milestone}", "«{unit_type}» không phải loại đơn vị.", "Các loại đơn vị: {known}."
)
ITEM_MILESTONE_UNKNOWN = Message(
    "milestone-unknown",
    "tiêu chí {item}",
    "mốc báo cáo «{milestone}» không có trong {path}.",
    "Các mốc của năm học: {known}.",
)
ITEM_MILESTONE_NOT_OWED = Message(
    "milestone-not-owed",
    "tiêu chí {item}",
    "loại đơn vị «{unit_type}» không phải nộp báo cáo «{milestone}» (owed_by trong {path}).",
    "Hãy bỏ requires_milestone hoặc thêm loại đơn vị này vào owed_by của mốc.",
)

# ---------------------------------------------------------------- a unit's files: identity and scores

UNIT_MISMATCH = Message(
    "unit-mismatch",
    "mã đơn vị",
    "«{declared}» khác tên tệp «{name}».",
    "Tên tệp và mã đơn vị phải giống nhau: hãy sửa thành «{unit}» hoặc đổi tên tệp.",
)
PERIOD_MISMATCH = Message(
    "period-mismatch",
    "năm học",
    "«{declared}» khác thư mục năm học «{period}» chứa tệp.",
    'Hãy sửa thành "{period}" hoặc chuyển tệp sang thư mục {folder}/.',
)
CATALOGUE_MISSING = Message(
    "catalogue-missing",
    "loại đơn vị",
    "năm học {period} không có bộ tiêu chí cho loại đơn vị «{unit_type}».",
    "Hãy liên hệ Sở để được hướng dẫn.",
)
REVIEWER_UNKNOWN = Message(
    "reviewer-unknown",
    "người chấm",
    "«{account}» không phải người chấm của đơn vị này.",
    "Người chấm được phép: {allowed}.",
)
REVIEW_WITHOUT_SUBMISSION = Message(
    "review-without-submission",
    "tệp điểm chấm",
    "đơn vị chưa có bài tự đánh giá nên chưa thể chấm.",
    "Hãy chờ đơn vị nộp tệp {unit}.yaml.",
)
CRITERIA_MISSING = Message(
    "criteria-missing",
    "danh sách tiêu chí",
    "chưa tự chấm {count} tiêu chí: {ids}; các tiêu chí này được tính 0 điểm.",
    "Nếu đơn vị có thực hiện, hãy thêm các tiêu chí này (xem tệp mẫu).",
    WARNING,
)
CRITERION_UNKNOWN = Message(
    "criterion-unknown", "tiêu chí {item}", "không có trong bộ tiêu chí «{title}» năm học {period}.", "{hint}"
)
CRITERION_UNKNOWN_HINT_GROUP = "Các tiêu chí của nhóm này: {ids}."
CRITERION_UNKNOWN_HINT = "Hãy dùng đúng mã tiêu chí trong tệp mẫu."
CRITERION_DERIVED = Message(
    "criterion-derived",
    "tiêu chí {item}",
    "được tính tự động từ kết quả của các đơn vị trực thuộc, không tự chấm.",
    "Hãy xoá tiêu chí {item} khỏi tệp.",
)
SCORE_NOT_NUMBER = Message(
    "score-not-number", "tiêu chí {item}", "{label} không phải là số hợp lệ.", "Hãy nhập một số từ 0 đến {max}."
)
SCORE_NEGATIVE = Message(
    "score-negative", "tiêu chí {item}", "{label} {value} nhỏ hơn 0.", "Hãy nhập một số từ 0 đến {max}."
)
SCORE_ABOVE_MAX = Message(
    "score-above-max",
    "tiêu chí {item}",
    "{label} {value} lớn hơn điểm tối đa {max}.",
    "Hãy nhập một số từ 0 đến {max}.",
)
SCORE_STEP = Message(
    "score-step", "tiêu chí {item}", "{label} {value} không đúng bước chấm {step}.", "Hãy nhập {lower} hoặc {upper}."
)
EVIDENCE_REQUIRED = Message(
    "evidence-required",
    "tiêu chí {item}",
    "có điểm nhưng thiếu minh chứng bắt buộc: {kinds}{source}.",
    "Hãy thêm minh chứng vào «minh_chung», hoặc chấm 0 điểm nếu chưa có.",
)
NOTE_HTML = Message(
    "note-html",
    "{place}",
    "ghi chú có thẻ HTML; trang công khai sẽ hiển thị nguyên văn các ký tự này, không định dạng.",
    "Nếu không cố ý, hãy xoá các thẻ <…>.",
    WARNING,
)
TOO_SMALL = Message("too-small", "{place}", "phải lớn hơn hoặc bằng {limit}.", "Hãy nhập một số từ {limit} trở lên.")
TOO_LARGE = Message("too-large", "{place}", "không được lớn hơn {limit}.", "Hãy nhập một số không quá {limit}.")
MILESTONE_STATES = {"missing": "chưa nộp", "late": "nộp sau hạn"}
PROPOSED_DUE = ", hạn đề xuất"
MILESTONE_LATE_FOR_POINTS = (  # a note in the pull-request report (the clock is known there), not a problem
    "Tiêu chí {item} tự chấm {score} điểm nhưng «{title}» {what} (hạn {due}{proposed}): người chấm cần xem xét "
    "điểm của tiêu chí này."
)


# ---------------------------------------------------------------- scoring workbooks (review_workbook_read)
# The subject is the cell ("trang «…», ô F12") or the workbook, given by the reader.

WORKBOOK = "bảng chấm"
CELL = "trang «{sheet}», ô {cell}"
NEW_WORKBOOK = "Hãy tải bảng chấm mới từ trang công khai."
WORKBOOK_TOO_LARGE = Message(
    "workbook-too-large",
    WORKBOOK,
    "tệp lớn {size} byte, vượt giới hạn {limit} byte của bảng chấm.",
    "Hãy tải bảng chấm mới từ trang công khai và chỉ ghi điểm, nhận xét.",
)
WORKBOOK_ZIP_TOO_LARGE = Message("workbook-too-large", WORKBOOK, "tệp nén bên trong bảng tính quá lớn.", NEW_WORKBOOK)
WORKBOOK_NOT_XLSX = Message(
    "workbook-not-xlsx",
    WORKBOOK,
    "tệp không phải bảng tính Excel (.xlsx).",
    "Hãy lưu bảng chấm bằng Excel hoặc LibreOffice theo định dạng .xlsx (không phải .xls, .csv "
    "hay .ods) rồi tải lên lại.",
)
WORKBOOK_UNREADABLE = Message(
    "workbook-unreadable",
    WORKBOOK,
    "không mở được bảng tính (tệp hỏng hoặc không đúng định dạng .xlsx).",
    "Hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi tải lên lại.",
)
WORKBOOK_FOREIGN = Message(
    "workbook-foreign",
    WORKBOOK,
    "đây không phải bảng chấm do trang công khai tạo (thiếu trang thông tin ẩn).",
    "Hãy tải bảng chấm của đơn vị quản lý từ trang công khai, ghi điểm vào đó.",
)
WORKBOOK_OLD_VERSION = Message(
    "workbook-old-version",
    WORKBOOK,
    "bảng chấm theo mẫu phiên bản {version}, đã cũ (mẫu hiện hành: phiên bản {current}).",
    "Hãy tải bảng chấm mới từ trang công khai và chép điểm, nhận xét sang.",
)
WORKBOOK_OTHER_BODY = Message(
    "workbook-other-body",
    WORKBOOK,
    "bảng chấm này của «{other}», năm học {other_period}, không phải của thư mục {folder}/ nơi tệp được tải lên.",
    "Hãy tải bảng chấm vào thư mục {other_folder}/, hoặc tải bảng chấm của «{body}» từ trang công khai.",
)
WORKBOOK_TAMPERED = Message(
    "workbook-tampered",
    WORKBOOK,
    "trang thông tin ẩn của bảng chấm đã bị sửa nên không đối chiếu được điểm tự chấm.",
    NEW_WORKBOOK,
)
WORKBOOK_META_UNREADABLE = Message(
    "workbook-tampered", WORKBOOK, "trang thông tin ẩn của bảng chấm không đọc được.", NEW_WORKBOOK
)
WORKBOOK_SHEET_MISSING = Message(
    "workbook-sheet-missing",
    WORKBOOK,
    "thiếu trang «{sheet}» (đã bị xoá hoặc đổi tên).",
    "Hãy giữ nguyên tên các trang; tải bảng chấm mới nếu cần.",
)
WORKBOOK_SECOND = Message(
    "workbook-second",
    WORKBOOK,
    "thư mục đã có {count} bảng chấm ({names}); mỗi đơn vị quản lý chỉ giữ một bảng chấm mỗi năm học.",
    "Hãy giữ lại một bảng chấm: tải lên với đúng tên {keep} để thay thế bảng cũ "
    "(tên gợi ý: {suggested}), và xoá các tệp còn lại.",
)
WORKBOOK_FORMULA = Message(
    "workbook-formula", "", "ô chứa công thức, không phải một số.", "Hãy nhập trực tiếp một số từ 0 đến {max}."
)
WORKBOOK_TEXT = Message(
    "workbook-text", "", "điểm chấm «{value}» là chữ, không phải một số.", "Hãy nhập một số từ 0 đến {max}.{hint}"
)
WORKBOOK_DECIMAL_HINT = " Nếu là số thập phân, hãy dùng đúng dấu thập phân của máy (ví dụ {value})."
# Scores out of range say what a self-assessment file says (score-*), under the workbook's codes.
WORKBOOK_NOT_NUMBER = Message("workbook-not-number", "", SCORE_NOT_NUMBER.message, SCORE_NOT_NUMBER.fix)
WORKBOOK_NEGATIVE = Message("workbook-negative", "", SCORE_NEGATIVE.message, SCORE_NEGATIVE.fix)
WORKBOOK_ABOVE_MAX = Message("workbook-above-max", "", SCORE_ABOVE_MAX.message, SCORE_ABOVE_MAX.fix)
WORKBOOK_STEP = Message("workbook-step", "", SCORE_STEP.message, SCORE_STEP.fix)
WORKBOOK_REVIEWER_INVALID = Message(
    "workbook-reviewer",
    "",
    "«{value}» không phải tài khoản GitHub.",
    "Hãy ghi tài khoản GitHub của bạn, ví dụ pgd-q1-reviewer (không dấu cách).",
)
WORKBOOK_DATE_INVALID = Message(
    "workbook-date", "", "«{value}» không phải một ngày.", "Hãy nhập ngày chấm, ví dụ 12/06/2024."
)
WORKBOOK_DATE_MISSING = Message("workbook-date", "", "chưa ghi ngày chấm.", "Hãy nhập ngày chấm, ví dụ 12/06/2024.")
WORKBOOK_UNIT_OTHER = Message(
    "workbook-unit-other",
    "",
    "đơn vị «{unit}» không thuộc «{body}» trong danh sách năm học {period}.",
    "Hãy tải bảng chấm mới từ trang công khai (danh sách đơn vị đã thay đổi).",
)
WORKBOOK_CRITERION = Message(
    "workbook-criterion", "", "tiêu chí {item} không có trong bộ tiêu chí hiện hành.", NEW_WORKBOOK
)
WORKBOOK_COMMENT_FORMULA = Message("workbook-formula", "", "ô nhận xét chứa công thức.", "Hãy ghi nhận xét bằng chữ.")
WORKBOOK_COMMENT_ONLY = Message(
    "workbook-comment-only",
    "",
    "có nhận xét nhưng chưa có điểm chấm.",
    "Hãy nhập điểm chấm (có thể bằng điểm tự chấm {self_score}), hoặc xoá nhận xét.",
)
WORKBOOK_NO_SUBMISSION = Message(
    "workbook-no-submission",
    "",
    "đơn vị «{unit}» chưa có bài tự đánh giá nên chưa thể chấm.",
    "Hãy để trống các ô điểm chấm của đơn vị này.",
)
WORKBOOK_STALE = Message(
    "workbook-stale",
    WORKBOOK,
    "đơn vị «{unit}» đã sửa điểm tự chấm sau khi bảng chấm được tạo ({changes}).",
    "Hãy xem lại bài của đơn vị; nên tải bảng chấm mới để chấm theo bài hiện tại.",
    WARNING,
)
WORKBOOK_LOCKED_CHANGED = Message(
    "workbook-locked-changed",
    "",
    "ô đã bị sửa («{found}», bảng chấm gốc ghi «{value}»).",
    "Không thêm, xoá hay đổi thứ tự dòng; hãy tải bảng chấm mới nếu cần.",
)
WORKBOOK_SELF_CHANGED = Message(
    "workbook-self-changed",
    "",
    "điểm tự chấm đã bị sửa («{found}», bài của đơn vị ghi {self_score}).",
    "Điểm tự chấm do đơn vị ghi, người chấm không sửa; hãy trả lại giá trị cũ hoặc tải bảng chấm mới.",
)
WORKBOOK_EXTRA_ROW = Message(
    "workbook-extra-row",
    "",
    "dòng này không có trong bảng chấm gốc.",
    "Hãy ghi điểm vào đúng dòng của đơn vị và tiêu chí; không thêm dòng.",
)
WORKBOOK_REVIEWER_MISSING = Message(
    "workbook-reviewer", "", "chưa ghi tài khoản GitHub của người chấm.", "Người chấm được phép: {allowed}."
)
WORKBOOK_REVIEWER_REFUSED = Message(
    "workbook-reviewer", "", "«{account}» không phải người chấm của đơn vị {units}.", "Người chấm được phép: {allowed}."
)
MORE_UNITS = " và {count} đơn vị khác"
WORKBOOK_EVIDENCE_REQUIRED = Message(
    "workbook-evidence-required", "", REVIEW_EVIDENCE_REQUIRED.message, REVIEW_EVIDENCE_REQUIRED.fix
)
