"""The texts `site-builder init` writes for a Department: its organisation file, an empty registry,
requirements.txt, .gitignore and a README for its maintainers (Vietnamese, as they read it).

Only the Department's own id, name and year go into them; every example is neutral.
"""

from __future__ import annotations

import yaml

from site_builder.unit_types import LABELS

GITIGNORE = """\
# Trang đã dựng và tệp tạm: sinh lại được, không commit
/build/
/site/
.cache/
.venv/
__pycache__/
*.pyc
"""


def _dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)


def organization(department) -> str:
    data = {"demo": department.demo, "id": department.id, "name": department.name}
    if department.repository:
        data |= {"repository": department.repository, "branch": "main"}
    data |= {
        "reviewers": list(department.reviewers),
        "maintainers": list(department.maintainers),
        "clock": {"signers": ["github-web-flow"]},
    }
    return """\
# Đơn vị chủ trì đánh giá: Sở GD&ĐT sở hữu kho dữ liệu này (lược đồ: schema/organization.schema.json).
#   demo         true: mọi trang hiện dòng «dữ liệu minh hoạ»; đặt false khi công bố dữ liệu thật.
#   id, name     mã (chữ thường không dấu, số, dấu gạch ngang) và tên đầy đủ của Sở.
#   repository   địa chỉ kho trên GitHub; trang công khai dùng nó cho các nút «Nộp bài», «Sửa bài».
#   reviewers    tài khoản GitHub của người chấm cấp Sở (chấm các đơn vị trực thuộc Sở).
#   maintainers  tài khoản GitHub của người quản trị (bộ tiêu chí, danh sách đơn vị, quy trình).
#   clock        khoá xác nhận thời điểm nộp bài; github-web-flow là khoá của GitHub, đi kèm phần mềm.
""" + _dump(data)


def registry(department, year: str) -> str:
    types = " | ".join(LABELS)
    return f"""\
# Danh sách đơn vị năm học {year.replace("-", " - ")} do Sở chấm trực tiếp (lược đồ: schema/units.schema.json).
# Mỗi đơn vị quản lý có một tệp trong submissions/units/{year}/. Một Phòng GD&ĐT chấm các trường của mình:
# ghi Phòng vào danh sách dưới đây (type: phong-gddt), rồi tạo tệp submissions/units/{year}/<mã Phòng>.yaml
# có body: <mã Phòng> và danh sách trường của Phòng.
# Mỗi đơn vị trong units, ví dụ:
#   - id: thpt-vi-du                  # mã cố định: chữ thường không dấu, số, dấu gạch ngang
#     name: "Trường THPT Ví Dụ"
#     type: truong-pho-thong          # {types}
#     level: THPT                     # với trường: THCS | THPT | Nhiều cấp học
#     area: "Huyện Ví Dụ"             # địa bàn (không bắt buộc)
#     website: https://thpt-vi-du.example.edu.vn
#     editors: [tai-khoan-github]     # người được nộp bài cho đơn vị
# Sau khi sửa: «site-builder codeowners» rồi «site-builder validate».
""" + _dump({"body": department.id, "reviewers": list(department.reviewers), "units": []})


def requirements(package: str) -> str:
    line = package or "# site-builder @ git+https://github.com/<tổ-chức>/<kho-mã-nguồn>@<mã-commit>"
    return f"""\
# Phiên bản site-builder mà các quy trình GitHub Actions cài đặt (pip install -r requirements.txt).
# Ghim một phiên bản cụ thể; cập nhật bằng một yêu cầu hợp nhất để người quản trị duyệt.
# Quy trình kiểm tra bài nộp dùng tệp này của nhánh main, không dùng bản trong yêu cầu hợp nhất.
{line}
"""


def readme(department, year: str, unit_types: list[str], origin: str) -> str:
    title_year = year.replace("-", " - ")
    next_year = "-".join(str(int(part) + 1) for part in year.split("-"))
    types = "\n".join(f"  - `{t}.yaml`: {LABELS.get(t, t)}" for t in unit_types)
    demo = (
        "\n> **Dữ liệu minh hoạ.** `demo: true` trong `submissions/organization.yaml`: mọi trang đều ghi rõ "
        "đây là dữ liệu minh hoạ. Đặt `demo: false` khi công bố dữ liệu thật.\n"
        if department.demo
        else ""
    )
    return f"""\
# Đánh giá ứng dụng CNTT — {department.name}

Kho dữ liệu này chứa bộ tiêu chí, danh sách đơn vị, bài tự đánh giá, minh chứng và điểm chấm
nhiệm vụ ứng dụng công nghệ thông tin của các đơn vị thuộc {department.name}
(mã `{department.id}`). Công cụ `site-builder` kiểm tra dữ liệu, tính điểm và dựng trang công khai
từ kho này. Mọi thay đổi đi qua GitHub bằng yêu cầu hợp nhất (*pull request*): hệ thống tự kiểm tra
và báo lỗi bằng tiếng Việt trước khi người duyệt hợp nhất.

Kho được tạo bằng lệnh `site-builder init` cho năm học {title_year}.
{demo}
## Các thư mục

| Thư mục, tệp | Nội dung | Ai sửa |
|---|---|---|
| `criteria/<năm học>/year.yaml` | hạn tự đánh giá, các mốc báo cáo, cách xếp loại của năm học | người quản trị |
| `criteria/<năm học>/<loại đơn vị>.yaml` | bộ tiêu chí của từng loại đơn vị | người quản trị |
| `submissions/organization.yaml` | mã, tên của Sở, người chấm cấp Sở, người quản trị | người quản trị |
| `submissions/units/<năm học>/<mã đơn vị quản lý>.yaml` | danh sách đơn vị của năm học, mỗi đơn vị quản lý một tệp | người quản trị |
| `submissions/<năm học>/<mã đơn vị quản lý>/<mã đơn vị>.yaml` | bài tự đánh giá của đơn vị | người soạn của đơn vị |
| `submissions/<năm học>/<mã đơn vị quản lý>/<mã đơn vị>/` | minh chứng PDF; báo cáo theo mốc trong `bao-cao/<mã mốc>/` | người soạn của đơn vị |
| `submissions/<năm học>/<mã đơn vị quản lý>/<mã đơn vị>.review.yaml` | điểm chấm | người chấm |
| `schema/` | lược đồ kiểm tra dữ liệu; `schema/editor/` sinh bằng `site-builder editor-schemas` | không sửa tay |
| `docs/`, `mkdocs.yml` | các trang viết tay và cấu hình của trang công khai | người quản trị |
| `.github/workflows/` | kiểm tra yêu cầu hợp nhất, xuất bản trang, kiểm tra đường link minh chứng | người quản trị |
| `.github/CODEOWNERS` | ai duyệt tệp nào; sinh bằng `site-builder codeowners` | không sửa tay |
| `requirements.txt` | phiên bản `site-builder` mà GitHub Actions cài đặt | người quản trị |

Bộ tiêu chí năm học {title_year} nằm trong `criteria/{year}/`:
{types}

## Bộ tiêu chí và các ngày hiện là đề xuất

Bộ tiêu chí, hạn tự đánh giá và các mốc báo cáo được chép từ {origin}, nên đều ghi là **đề xuất**
(`source: provisional`, `provisional: true`); trang công khai ghi «(hạn đề xuất)» cạnh mọi trạng thái
dựa vào các ngày này. Khi Sở có văn bản hướng dẫn và bộ tiêu chí của mình:

1. Sửa `criteria/{year}/year.yaml`: ghi số, ngày, cơ quan ban hành văn bản vào `basis`; sửa ngày và
   mốc báo cáo (`owed_by`: loại đơn vị phải nộp); đổi `source: official`, `provisional: false`.
2. Sửa các bộ tiêu chí (nội dung, điểm tối đa, minh chứng), ghi nguồn vào `basis` và `source_note`,
   đổi `source: official`.
3. Chạy `site-builder editor-schemas` rồi `site-builder validate`.

## Cài công cụ trên máy

```sh
python3 -m venv .venv
.venv/bin/pip install -r requirements.txt
. .venv/bin/activate
```

`requirements.txt` phải có một dòng cài đặt `site-builder` (ví dụ địa chỉ kho mã nguồn kèm mã
commit). Các quy trình GitHub Actions cài đúng dòng này.

## Hai lệnh

```sh
site-builder validate                  # kiểm tra toàn bộ dữ liệu; mỗi lỗi ghi tệp, dòng và cách sửa
site-builder build --out build/site    # kiểm tra, tính điểm và dựng trang công khai vào build/site
```

`site-builder serve` dựng trang rồi mở tại http://127.0.0.1:8000 để xem thử. Mã thoát: 0 là hợp lệ,
1 là dữ liệu còn lỗi, 2 là gõ sai lệnh.

## Thêm đơn vị

1. Mở `submissions/units/{year}/{department.id}.yaml` (đơn vị do Sở chấm trực tiếp) và thêm đơn vị
   vào `units`; đầu tệp có mẫu ghi chú từng khoá. Mã đơn vị (`id`) giữ nguyên qua các năm học.
2. Với các trường do một Phòng GD&ĐT chấm: ghi Phòng vào tệp trên (`type: phong-gddt`), rồi tạo
   `submissions/units/{year}/<mã Phòng>.yaml` với `body: <mã Phòng>`, `reviewers` (người chấm của
   Phòng) và danh sách trường.
3. Ghi tài khoản GitHub của cán bộ đơn vị vào `editors`; người chấm vào `reviewers`. Một người không
   được vừa soạn vừa chấm cùng một đơn vị.
4. Chạy `site-builder codeowners` (cập nhật `.github/CODEOWNERS`) rồi `site-builder validate`,
   và commit các tệp đã đổi.

Mẫu bài tự đánh giá của một đơn vị: `site-builder new --year {year} --unit <mã đơn vị>`.

## Năm học mới

```sh
site-builder new-year {next_year} --from {year}
```

Lệnh chép bộ tiêu chí và danh sách đơn vị sang năm học mới, dời các ngày và ghi là đề xuất. Sau đó
sửa ngày theo văn bản mới, sửa danh sách đơn vị (đơn vị sáp nhập, đổi tên, đổi đơn vị quản lý), rồi
chạy `site-builder editor-schemas` và `site-builder codeowners` và commit.

## Xuất bản trang công khai

1. Tạo kho trên GitHub và đẩy kho này lên nhánh `main`; ghi địa chỉ kho vào `repository` trong
   `submissions/organization.yaml`.
2. Ghi dòng cài đặt `site-builder` vào `requirements.txt`.
3. **Settings → Pages → Build and deployment → Source:** chọn «GitHub Actions».
4. **Settings → General → Pull Requests:** bật «Allow merge commits» (hoặc «Allow squash merging»),
   tắt «Allow rebase merging». Thời điểm nộp bài lấy từ chữ ký của GitHub trên các commit này.
5. **Settings → Branches:** bảo vệ nhánh `main`: bắt buộc yêu cầu hợp nhất, bắt buộc người trong
   CODEOWNERS duyệt, bắt buộc qua bước kiểm tra «Kiểm tra dữ liệu (chú thích trên từng dòng)».

Sau đó, mỗi lần nhánh `main` thay đổi, quy trình «Xuất bản trang công khai» kiểm tra toàn bộ dữ liệu
và dựng lại trang; dữ liệu còn lỗi thì trang đang công khai được giữ nguyên. Hướng dẫn cho đơn vị
và người chấm có trên trang công khai, mục «Hướng dẫn».
"""


def next_steps(target: str, year: str, department, package: str) -> str:
    steps = [
        f"cd {target}",
        "Điền tài khoản GitHub của người quản trị và người chấm cấp Sở vào submissions/organization.yaml"
        if not (department.maintainers and department.reviewers)
        else "",
        f"Thêm đơn vị vào submissions/units/{year}/{department.id}.yaml, rồi chạy «site-builder codeowners»",
        f"Sửa ngày và mốc báo cáo trong criteria/{year}/year.yaml theo văn bản của Sở",
        "" if package else "Ghi dòng cài đặt site-builder vào requirements.txt",
        "site-builder validate   (kiểm tra dữ liệu)",
        "site-builder build --out build/site   (dựng trang công khai)",
        "git init -b main && git add -A && git commit, rồi đẩy lên GitHub và làm theo mục "
        "«Xuất bản trang công khai» trong README.md",
    ]
    lines = [f"  {i}. {s}" for i, s in enumerate((s for s in steps if s), start=1)]
    return "Tiếp theo:\n" + "\n".join(lines) + "\n"
