"""Tiny images made by hand for the media tests: PNG, GIF and BMP bytes, and JPEG EXIF
segments (orientation, camera, date, GPS) spliced into JPEGs that `vips` writes."""

import struct
import zlib


def png(width, height, color=(200, 30, 30), declared=None):
    """An RGB PNG filled with `color`. `declared` = (w, h) writes other dimensions into the
    header than the pixel data has (a decompression bomb's lie)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    w, h = declared or (width, height)
    row = b"\x00" + bytes(color) * width
    raw = zlib.compress(row * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def bomb_png(side=60000):
    """A PNG whose header claims side x side pixels (3.6 gigapixels for 60000) and whose data
    is a few hundred bytes of zeros: decoding it fully would need gigabytes."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    compressor = zlib.compressobj(9)
    row = b"\x00" * (side * 3 + 1)
    data = compressor.compress(row * 64) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def gif(width, height):
    """A one-colour GIF (LZW-coded by hand: clear code, then literal pixels)."""
    header = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\xff\x00\x00\x00\x00\x00"
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0)
    # 2-bit minimum code size; codes of 3 bits: clear (4) before every pixel keeps them 3 bits.
    bits, nbits, out = 0, 0, bytearray()
    for code in [4, 0] * (width * height) + [5]:
        bits |= code << nbits
        nbits += 3
        while nbits >= 8:
            out.append(bits & 0xFF)
            bits >>= 8
            nbits -= 8
    if nbits:
        out.append(bits & 0xFF)
    blocks = b"".join(bytes([len(out[i:i + 255])]) + bytes(out[i:i + 255]) for i in range(0, len(out), 255))
    return header + image + b"\x02" + blocks + b"\x00\x3b"


def bmp(width, height):
    row = b"\x10\x20\xc0" * width + b"\x00" * ((4 - width * 3 % 4) % 4)
    pixels = row * height
    return (b"BM" + struct.pack("<IHHI", 54 + len(pixels), 0, 0, 54)
            + struct.pack("<IiiHHIIiiII", 40, width, height, 1, 24, 0, len(pixels), 2835, 2835, 0, 0) + pixels)


def exif_segment(orientation=6, make="TestMaker", model="Cam 1", taken="2024:05:01 10:20:30"):
    """An APP1 EXIF segment (big-endian TIFF): IFD0 with Make, Model, Orientation, the Exif
    IFD (DateTimeOriginal) and a GPS IFD (latitude 48 deg N)."""
    def ascii(s):
        return s.encode() + b"\x00"
    entries0 = []  # (tag, type, count, value bytes)
    make_b, model_b, taken_b = ascii(make), ascii(model), ascii(taken)
    ifd0_count = 5
    ifd0_size = 2 + ifd0_count * 12 + 4
    data_at = 8 + ifd0_size
    blobs = bytearray()

    def put(blob):
        nonlocal blobs
        off = data_at + len(blobs)
        blobs += blob
        if len(blobs) % 2:
            blobs += b"\x00"
        return off
    make_off, model_off = put(make_b), put(model_b)
    exif_ifd_off = data_at + len(blobs)
    exif_ifd = struct.pack(">H", 1)
    taken_off_placeholder = len(blobs) + 2 + 12 + 4
    blobs += b"\x00" * (2 + 12 + 4)
    taken_off = put(taken_b)
    exif_ifd = struct.pack(">H", 1) + struct.pack(">HHII", 0x9003, 2, len(taken_b), taken_off) + struct.pack(">I", 0)
    blobs[exif_ifd_off - data_at:exif_ifd_off - data_at + len(exif_ifd)] = exif_ifd
    gps_ifd_off = data_at + len(blobs)
    lat_off_rel = len(blobs) + 2 + 2 * 12 + 4
    gps_ifd = (struct.pack(">H", 2) + struct.pack(">HHI", 0x0001, 2, 2) + b"N\x00\x00\x00"
               + struct.pack(">HHII", 0x0002, 5, 3, data_at + lat_off_rel) + struct.pack(">I", 0))
    blobs += gps_ifd
    blobs += struct.pack(">IIIIII", 48, 1, 51, 1, 30, 1)
    entries0 = [
        (0x010F, 2, len(make_b), make_off),
        (0x0110, 2, len(model_b), model_off),
        (0x0112, 3, 1, orientation << 16),
        (0x8769, 4, 1, exif_ifd_off),
        (0x8825, 4, 1, gps_ifd_off),
    ]
    ifd0 = struct.pack(">H", len(entries0)) + b"".join(struct.pack(">HHII", *e) for e in entries0) + struct.pack(">I", 0)
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + ifd0 + bytes(blobs)
    payload = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def with_exif(jpeg, segment):
    """`jpeg` with `segment` inserted right after SOI (and any APP0 JFIF header dropped)."""
    assert jpeg[:2] == b"\xff\xd8"
    rest = jpeg[2:]
    if rest[:2] == b"\xff\xe0":
        rest = rest[2 + struct.unpack(">H", rest[2:4])[0]:]
    return b"\xff\xd8" + segment + rest


def pdf(width=200, height=100):
    """A one-page PDF with a red rectangle, with a correct cross-reference table."""
    content = b"1 0 0 rg 10 10 100 50 re f"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R >>" % (width, height),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def vips_convert(data, suffix, tmpdir):
    """`data` (any image libvips reads) re-encoded by the `vips` command as `suffix`."""
    import os
    import subprocess
    src = os.path.join(tmpdir, "src.png")
    dst = os.path.join(tmpdir, "out" + suffix)
    with open(src, "wb") as f:
        f.write(data)
    subprocess.run(["vips", "copy", src, dst], check=True, capture_output=True)
    with open(dst, "rb") as f:
        return f.read()


def vips_header(data, tmpdir, all_fields=False):
    """`vipsheader` of `data`: {field: value} with -a, else the one-line summary."""
    import os
    import subprocess
    path = os.path.join(tmpdir, "probe")
    with open(path, "wb") as f:
        f.write(data)
    out = subprocess.run(["vipsheader", *(["-a"] if all_fields else []), path], check=True,
                         capture_output=True, text=True).stdout
    if not all_fields:
        return out
    fields = {}
    for line in out.splitlines()[1:]:
        key, _, value = line.partition(": ")
        fields[key] = value
    return fields
