"""Real PDFs carrying what an evidence file must not carry, written with pypdf (no hand-typed
bytes), for tests/test_pdf_safety.py and tests/test_hostile_prs.py."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    RectangleObject,
    StreamObject,
    TextStringObject,
)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _one_page() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    return writer


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    for key, value in entries.items():
        action[_name("/" + key)] = value
    return action


def open_action_javascript() -> bytes:
    writer = _one_page()
    writer._root_object[_name("/OpenAction")] = writer._add_object(
        _action("/JavaScript", JS=TextStringObject("app.alert('xin chào');"))
    )
    return _bytes(writer)


def document_javascript() -> bytes:
    """JavaScript in the document's name tree, run by viewers when the file opens."""
    writer = _one_page()
    script = writer._add_object(_action("/JavaScript", JS=TextStringObject("this.print({bUI: false});")))
    names = DictionaryObject({_name("/Names"): ArrayObject([TextStringObject("in-ngay"), script])})
    writer._root_object[_name("/Names")] = DictionaryObject({_name("/JavaScript"): writer._add_object(names)})
    return _bytes(writer)


def open_action_uri() -> bytes:
    """Opens a web page as soon as the file is opened."""
    writer = _one_page()
    writer._root_object[_name("/OpenAction")] = _action("/URI", URI=TextStringObject("https://evil.example/"))
    return _bytes(writer)


def launch_link() -> bytes:
    """A link annotation that starts a program."""
    writer = _one_page()
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): RectangleObject([0, 0, 200, 200]),
            _name("/A"): _action("/Launch", F=TextStringObject("cmd.exe")),
        }
    )
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def page_additional_action() -> bytes:
    """/AA on a page: runs when the page is opened."""
    writer = _one_page()
    writer.pages[0][_name("/AA")] = DictionaryObject(
        {_name("/O"): _action("/JavaScript", JS=TextStringObject("app.alert(1)"))}
    )
    return _bytes(writer)


def embedded_file() -> bytes:
    writer = _one_page()
    writer.add_attachment("chuong-trinh.exe", b"MZ\x90\x00 not really a program")
    return _bytes(writer)


def xfa_form() -> bytes:
    writer = _one_page()
    xfa = StreamObject()
    xfa.set_data(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'></xdp:xdp>")
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): writer._add_object(xfa)}
    )
    return _bytes(writer)


def rich_media() -> bytes:
    writer = _one_page()
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/RichMedia"),
            _name("/Rect"): RectangleObject([0, 0, 100, 100]),
        }
    )
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])
    return _bytes(writer)


def indirect_action_type() -> bytes:
    """The action type stored as a reference (`/S 7 0 R`): still JavaScript to a viewer."""
    writer = _one_page()
    action = DictionaryObject({_name("/S"): writer._add_object(_name("/JavaScript")), _name("/Next"): ArrayObject()})
    writer.pages[0][_name("/Annots")] = ArrayObject(
        [
            writer._add_object(
                DictionaryObject(
                    {
                        _name("/Type"): _name("/Annot"),
                        _name("/Subtype"): _name("/Link"),
                        _name("/Rect"): RectangleObject([0, 0, 10, 10]),
                        _name("/A"): writer._add_object(action),
                    }
                )
            )
        ]
    )
    return _bytes(writer)


def harmless_links() -> bytes:
    """What a normal exported report has: a web link and "open at page 1". Accepted."""
    writer = _one_page()
    writer.add_blank_page(width=200, height=200)
    annotation = DictionaryObject(
        {
            _name("/Type"): _name("/Annot"),
            _name("/Subtype"): _name("/Link"),
            _name("/Rect"): RectangleObject([0, 0, 200, 20]),
            _name("/A"): _action("/URI", URI=TextStringObject("https://thcs-demo-a.example.edu.vn/cong-khai")),
        }
    )
    writer.pages[0][_name("/Annots")] = ArrayObject([writer._add_object(annotation)])
    writer._root_object[_name("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")])
    return _bytes(writer)


def pages(count: int) -> bytes:
    """`count` real, distinct pages (inheriting their size from the page tree, as files do)."""
    writer = PdfWriter()
    tree = writer._root_object["/Pages"].get_object()
    tree_ref = writer._root_object.raw_get("/Pages")
    kids = ArrayObject()
    for _ in range(count):
        kids.append(writer._add_object(DictionaryObject({_name("/Type"): _name("/Page"), _name("/Parent"): tree_ref})))
    tree[_name("/Kids")] = kids
    tree[_name("/Count")] = NumberObject(count)
    tree[_name("/MediaBox")] = RectangleObject([0, 0, 200, 200])
    return _bytes(writer)


def lying_page_count(count: int) -> bytes:
    """`count` pages behind a page tree that declares one."""
    data = pages(count)
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer._root_object["/Pages"].get_object()[_name("/Count")] = NumberObject(1)
    return _bytes(writer)
