"""What a refused upload really is, in words an applicant knows ("a Word document", not a MIME type).

`filetype` reads the first bytes of the file; these are the kinds people actually pick by mistake.
"""

_WORDS = {
    "application/x-msdownload": "a Windows program",
    "application/x-executable": "a Linux program",
    "application/x-msi": "a Windows installer",
    "application/msword": "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "a Word document",
    "application/vnd.oasis.opendocument.text": "a word-processor document",
    "application/rtf": "a word-processor document",
    "application/vnd.ms-excel": "an Excel spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "an Excel spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "a spreadsheet",
    "application/vnd.ms-powerpoint": "a PowerPoint presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "a PowerPoint presentation",
    "application/zip": "a ZIP archive",
    "application/x-rar-compressed": "a RAR archive",
    "application/x-7z-compressed": "a 7-Zip archive",
    "application/gzip": "a compressed archive",
    "application/x-tar": "an archive",
    "application/postscript": "a PostScript file",
    "application/epub+zip": "an e-book",
    "image/heic": "an iPhone photo (HEIC)",
    "image/gif": "a GIF image",
    "image/webp": "a WebP image",
    "image/bmp": "a BMP image",
    "image/tiff": "a TIFF scan",
    "image/vnd.adobe.photoshop": "a Photoshop file",
}

# What to do instead, where there is something better to say than "save it as PDF".
_ADVICE = {
    "image/heic": "On the iPhone choose Settings › Camera › Formats › Most Compatible, or share the photo as JPEG.",
    "application/zip": "Upload the document inside it, not the archive.",
    "application/x-rar-compressed": "Upload the document inside it, not the archive.",
    "application/x-7z-compressed": "Upload the document inside it, not the archive.",
}


def describe(mime: str | None) -> str:
    """`mime` in plain words, e.g. "a Windows program"; "a file of an unknown kind" when unreadable."""
    if mime in _WORDS:
        return _WORDS[mime]
    family = (mime or "").partition("/")[0]
    return {"image": "an image of another kind", "video": "a video", "audio": "a sound recording",
            "font": "a font"}.get(family, "a file of an unknown kind")


def advice(mime: str | None) -> str:
    return _ADVICE.get(mime, "Save or scan it as PDF, PNG or JPEG; a clear phone photo is fine.")
