"""A whole interview transcript → statements, each with a guessed place and suggestions.

Transcripts come typed into a text box, as plain text files or as Word files (.docx, read
with python-docx). A statement is one paragraph; text without blank lines is one statement
per line. Speaker labels are handled the way German transcripts write them: lines of the
interviewer ("I:", "Interviewer*in:", "Frage:") are questions, not statements, and are
dropped; the interviewee's label ("B:", "IP:", "Befragte*r:") is removed.

The place of a statement is guessed from the statement itself with the gazetteer (names
inside longer text, crossings, addresses); a marker "[Ort: …]" or "(Ort: …)" in the text
says it explicitly and is taken out of the statement. The planner reviews every guess.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from mapservice.errors import InvalidInput, PayloadTooLarge
from mapservice.georef.gazetteer import Gazetteer
from mapservice.workspace.interviews.suggest import suggest

MAX_BYTES = 2 * 1024 * 1024
MAX_STATEMENTS = 500
MAX_STATEMENT_CHARS = 10_000

_QUESTION = re.compile(r"^\s*(i|int|interviewer(\*?in|:in|in)?|frage|f|q)\s*:", re.IGNORECASE)
_ANSWER = re.compile(
    r"^\s*(b|ip|a|befragte(\*?r|:r|r)?|antwort|bewohner(\*?in|in)?)\s*:\s*", re.IGNORECASE
)
_PLACE_MARK = re.compile(r"[\[(]\s*(?:ort|place)\s*:\s*([^\])]{1,500})[\])]", re.IGNORECASE)
_BLANK_LINE = re.compile(r"\n\s*\n")


@dataclass(frozen=True, slots=True)
class Piece:
    statement: str
    place_text: str
    marked: bool  # the place came from an explicit "[Ort: …]" marker


def split_transcript(raw: str) -> list[Piece]:
    """Statements of a transcript, in order (questions dropped, labels removed)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufeff", "")
    blocks = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    pieces: list[Piece] = []
    for block in blocks:
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        lines = [_ANSWER.sub("", line, count=1) for line in lines if not _QUESTION.match(line)]
        block = " ".join(line for line in lines if line)
        if not block:
            continue
        place, marked = "", False
        mark = _PLACE_MARK.search(block)
        if mark:
            place, marked = mark.group(1).strip(), True
            block = (block[: mark.start()] + block[mark.end() :]).strip()
            block = re.sub(r"\s{2,}", " ", block)
        if not block:
            continue
        if len(block) > MAX_STATEMENT_CHARS:
            raise InvalidInput(
                f"Aussage {len(pieces) + 1} ist länger als 10.000 Zeichen.",
                f"Statement {len(pieces) + 1} is longer than 10,000 characters.",
                code="text_too_long",
            )
        pieces.append(Piece(block, place, marked))
        if len(pieces) > MAX_STATEMENTS:
            raise PayloadTooLarge(
                f"Mehr als {MAX_STATEMENTS} Aussagen in einem Transkript; bitte aufteilen.",
                f"More than {MAX_STATEMENTS} statements in one transcript; please split it.",
                code="too_many_statements",
            )
    return pieces


def read_upload(filename: str, data: bytes) -> str:
    """The text of an uploaded transcript: .docx (by its content) or plain text."""
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(
            "Die Datei ist größer als 2 MB.", "The file is larger than 2 MB.", code="too_large"
        )
    if data[:4] == b"PK\x03\x04":
        return _docx_text(data)
    if b"\x00" in data[:4096]:
        raise InvalidInput(
            "Die Datei ist weder Text noch .docx.",
            "The file is neither plain text nor .docx.",
            code="unsupported_file",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Windows editors' default


def _docx_text(data: bytes) -> str:
    import docx  # python-docx: the Word format is a zip of XML; let a library read it

    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InvalidInput(
            "Die .docx-Datei kann nicht gelesen werden.",
            "The .docx file cannot be read.",
            code="unreadable_file",
        ) from exc
    # Paragraphs stay paragraphs: a blank line between them keeps "one per paragraph".
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def with_suggestions(gazetteer: Gazetteer, quarter_id: int, pieces: list[Piece]) -> list[dict]:
    """Each statement with its guessed place text and the suggestions for it."""
    out: list[dict[str, Any]] = []
    for piece in pieces:
        place = piece.place_text
        if not piece.marked:
            res = gazetteer.resolve(piece.statement, quarter_id)
            place = res.matched if res.method != "quarter" else ""
        candidates = suggest(gazetteer, quarter_id, place)
        out.append({
            "statement": piece.statement,
            "place_text": place,
            "candidates": [c.as_dict() for c in candidates],
        })  # fmt: skip
    return out
