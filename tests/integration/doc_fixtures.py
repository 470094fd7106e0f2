"""Tiny documents made on the spot for the search tests: a one-page PDF with a text object,
and DOCX, XLSX and ODT files written with zipfile."""

import io
import zipfile


def pdf(text):
    stream = f"BT /F1 24 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _zip(entries):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, data)
    return buf.getvalue()


def docx(text):
    return _zip([
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml",
         '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
         f'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
         "</w:body></w:document>"),
    ])


def xlsx(text):
    return _zip([
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.xml", "<workbook/>"),
        ("xl/sharedStrings.xml",
         '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
         f"<si><t>{text}</t></si></sst>"),
    ])


def odt(text):
    return _zip([
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml",
         '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:text>'
         f"<text:p>{text}</text:p></office:text></office:body></office:document-content>"),
    ])


def zip_bomb():
    """A DOCX whose document inflates from a few dozen KiB to 64 MiB."""
    return _zip([
        ("[Content_Types].xml", "<Types/>"),
        ("word/document.xml", "<w:document><w:body><w:p><w:t>" + " " * (64 << 20) + "</w:t></w:p></w:body></w:document>"),
    ])
