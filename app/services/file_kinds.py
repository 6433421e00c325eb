"""What a refused upload really is, in words an applicant knows ("a Word document", not a MIME type).

`filetype` reads the first bytes of the file; these are the kinds people actually pick by mistake.
"""
from app.i18n import _l

_WORDS = {
    "application/x-msdownload": _l("a Windows program"),
    "application/x-executable": _l("a Linux program"),
    "application/x-msi": _l("a Windows installer"),
    "application/msword": _l("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _l("a Word document"),
    "application/vnd.oasis.opendocument.text": _l("a word-processor document"),
    "application/rtf": _l("a word-processor document"),
    "application/vnd.ms-excel": _l("an Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _l("an Excel spreadsheet"),
    "application/vnd.oasis.opendocument.spreadsheet": _l("a spreadsheet"),
    "application/vnd.ms-powerpoint": _l("a PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _l("a PowerPoint presentation"),
    "application/zip": _l("a ZIP archive"),
    "application/x-rar-compressed": _l("a RAR archive"),
    "application/x-7z-compressed": _l("a 7-Zip archive"),
    "application/gzip": _l("a compressed archive"),
    "application/x-tar": _l("an archive"),
    "application/postscript": _l("a PostScript file"),
    "application/epub+zip": _l("an e-book"),
    "image/heic": _l("an iPhone photo (HEIC)"),
    "image/gif": _l("a GIF image"),
    "image/webp": _l("a WebP image"),
    "image/bmp": _l("a BMP image"),
    "image/tiff": _l("a TIFF scan"),
    "image/vnd.adobe.photoshop": _l("a Photoshop file"),
}

# What to do instead, where there is something better to say than "save it as PDF".
_ADVICE = {
    "image/heic": _l("On the iPhone choose Settings › Camera › Formats › Most Compatible, or share the photo as "
                     "JPEG."),
    "application/zip": _l("Upload the document inside it, not the archive."),
    "application/x-rar-compressed": _l("Upload the document inside it, not the archive."),
    "application/x-7z-compressed": _l("Upload the document inside it, not the archive."),
}

_FAMILIES = {"image": _l("an image of another kind"), "video": _l("a video"), "audio": _l("a sound recording"),
             "font": _l("a font")}


def describe(mime: str | None) -> str:
    """`mime` in plain words, e.g. "a Windows program"; "a file of an unknown kind" when unreadable."""
    if mime in _WORDS:
        return str(_WORDS[mime])
    family = (mime or "").partition("/")[0]
    return str(_FAMILIES.get(family, _l("a file of an unknown kind")))


def advice(mime: str | None) -> str:
    return str(_ADVICE.get(mime, _l("Save or scan it as PDF, PNG or JPEG; a clear phone photo is fine.")))
