"""Extracted blocks -> Narrative records (report, year, country, tier, sections).

Pure: no I/O. Report kind, edition year and country are read from the document
itself (URL, headline, title, headings) and, last, from its path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from indexer.extract import Block, Extracted
from indexer.reports.countries import Country, lookup
from indexer.reports.tiers import TIER_LABELS, parse_country_heading, tier_from_summary

REPORT_NAMES = {
    "tip": "Trafficking in Persons Report",
    "hrr": "Country Reports on Human Rights Practices",
    "other": "Document",
}
REPORT_LABELS = {"tip": "Trafficking in Persons Report", "hrr": "Human Rights Report", "other": "Other documents"}
_REPORT_PATTERNS = (
    ("tip", re.compile(r"trafficking[-_ ]in[-_ ]persons|/tiprpt/", re.I)),
    ("hrr", re.compile(r"country[-_ ]reports?[-_ ]on[-_ ]human[-_ ]rights|human[-_ ]rights[-_ ]report", re.I)),
)
_YEAR_PATTERNS = (
    re.compile(r"/reports/((?:19|20)\d\d)-"),
    re.compile(r"tiprpt/(?:countries/)?((?:19|20)\d\d)/"),
    re.compile(r"\b((?:19|20)\d\d)\s+(?:trafficking in persons|country reports on human rights)", re.I),
    re.compile(r"(?:trafficking in persons report|human rights practices)\W+(?:\w+\s+)?((?:19|20)\d\d)\b", re.I),
    re.compile(r"(?:^|/)((?:19|20)\d\d)(?:/|$)"),
)
_TIP_SECTIONS = {
    "prioritized recommendations": "prioritized-recommendations",
    "recommendations": "recommendations",
    "prosecution": "prosecution",
    "protection": "protection",
    "prevention": "prevention",
    "trafficking profile": "trafficking-profile",
    "country narratives": None,
}
NARRATIVE_SECTION_KEYS = {k for k in _TIP_SECTIONS.values() if k} | {"executive-summary"}
RECOMMENDATION_KEYS = {"prioritized-recommendations", "recommendations"}
# Recommendations run into a paragraph: "... to do so. Recommendations for Haiti: enact ...".
_RUN_IN_RECOMMENDATIONS = re.compile(
    r"(?:^|(?<=[.;]\s))((?i:prioritized\s+)?(?:Recommendations|RECOMMENDATIONS)(?:\s+(?i:for)\s+[^:.]{1,80})?)"
    r"\s*:\s*(?=\S)"
)
# The assessment that opens a TIP summary: "does not fully comply with", "fully meets" the minimum standards.
_ASSESSMENT = re.compile(r"\b(?:does|do)\s+not\s+(?:fully\s+)?(?:comply|meet)|\bfully\s+(?:comply|meet)")
_BULLET = re.compile(r"\s*[•·▪●◦]\s*")
# What some Human Rights Report pages print in the executive summary's place: a template's placeholder.
_PLACEHOLDER_HEADING = re.compile(r"^\s*(?:read a section\b.*|executive summary title)\s*$", re.I)
_HRR_SECTION = re.compile(r"^section\s+(\d+)\.?\s*(.*)$", re.I)
_HRR_LETTERED = re.compile(r"^([a-z])\.\s+\S")
_SITE_SUFFIX = re.compile(r"\s+[-–|]\s+(united states )?department of state.*$", re.I)


@dataclass
class Section:
    """One section of a narrative: its heading, filter keys, text and page offsets."""

    heading: str
    keys: list[str]
    text: str
    pages: list[tuple[int, int]] = field(default_factory=list)  # (char offset, PDF page)


@dataclass
class NarrativeInfo:
    """What identifies a narrative: report, edition, country, tier, title and source."""

    id: str
    report: str
    year: int | None
    country: str
    iso3: str
    region: str
    title: str
    tier: str = ""
    tier_label: str = ""
    source: str = ""

    @property
    def heading(self) -> str:
        """How a page names the narrative, country first: ``Bangladesh – Human Rights Report 2023``;
        the title for a document of no known report or country."""
        if not self.country or self.report not in ("tip", "hrr"):
            return self.title
        return f"{self.country} – {REPORT_LABELS[self.report]} {self.year or ''}".rstrip()

    @property
    def tier_name(self) -> str:
        """The tier as one name in every edition (``Tier 2 Watch List``), not as the edition printed it."""
        return TIER_LABELS.get(self.tier, self.tier_label)


@dataclass
class Narrative(NarrativeInfo):
    """One country's narrative in one edition of one report, with its text; ``capped`` says what of it was
    read otherwise than the page set it out (``MOST_SECTIONS``, ``MOST_PARAGRAPHS``)."""

    sections: list[Section] = field(default_factory=list)
    content_hash: str = ""
    capped: list[str] = field(default_factory=list)


def split_recommendations(paragraph: str) -> list[str]:
    """One paragraph's recommendations, one per item: bullets (also run together) or a "; "-list."""
    parts = [p for p in _BULLET.split(paragraph) if p.strip()]
    if len(parts) == 1:
        parts = parts[0].split("; ")
    items = []
    for part in parts:
        item = re.sub(r"^(?:and|or)\s+", "", part.strip(" \t\n-–;,"))
        if item:
            items.append(item[0].upper() + item[1:])
    return items


def is_country_narrative(narrative: Narrative) -> bool:
    """Whether a narrative is about a country and reads like a report's country narrative."""
    keys = {k for s in narrative.sections for k in s.keys}
    return bool(narrative.iso3) and bool(
        narrative.tier or keys & NARRATIVE_SECTION_KEYS or any(k.startswith("section-") for k in keys)
    )


def slug(text: str) -> str:
    """Lower-case words joined by hyphens: ``Section 1. a`` -> ``section-1-a``."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))


def detect_report(extracted: Extracted, source: str) -> str:
    """``tip``, ``hrr`` or ``other``, from the URL, headline, title, first headings, path."""
    headings = [b.text for b in extracted.blocks[:5]]
    for text in [extracted.url, extracted.headline, extracted.title, *headings, source]:
        for report, pattern in _REPORT_PATTERNS:
            if text and pattern.search(text):
                return report
    return "other"


def detect_year(extracted: Extracted, source: str) -> int | None:
    """The edition year, from the URL, headline, title, first blocks, then the path."""
    first_text = [b.text for b in extracted.blocks[:5]]
    for text in [extracted.url, extracted.headline, extracted.title, *first_text, source]:
        for pattern in _YEAR_PATTERNS:
            match = pattern.search(text or "")
            if match:
                return int(match.group(1))
    return None


def _file_name(source: str) -> str:
    return re.split(r"[\\/]", source)[-1]


def _country_candidates(extracted: Extracted, source: str) -> list[str]:
    headline = extracted.headline
    url_slug = extracted.url.rstrip("/").rsplit("/", 1)[-1] if extracted.url else ""
    file_stem = _file_name(source).split(".")[0]
    return [
        headline.split(":", 1)[-1],
        headline,
        _SITE_SUFFIX.sub("", extracted.title),
        url_slug.replace("-", " "),
        file_stem.replace("-", " ").replace("_", " "),
    ]


def detect_country(extracted: Extracted, source: str) -> Country | None:
    """The country a single-country page is about, from its headline, title, URL or path."""
    for candidate in _country_candidates(extracted, source):
        country = lookup(candidate) if candidate.strip() else None
        if country:
            return country
    return None


def _tip_section(heading: str) -> str | None:
    """The TIP section a heading names ("" for "Country Narratives"), else None."""
    folded = " ".join(re.findall(r"[a-z]+", heading.lower()))
    if folded.startswith("recommendations for "):
        folded = "recommendations"
    key = _TIP_SECTIONS.get(folded)
    return None if key is None and folded not in _TIP_SECTIONS else key or ""


def section_keys(heading: str, parent: list[str]) -> list[str]:
    """Filter keys of a section by where it stands: its own key plus its parent's (``section-1``, ``section-1c``);
    a heading the reports do not number keeps its parent's."""
    text = heading.strip().rstrip(":").strip()
    folded = " ".join(re.findall(r"[a-z]+", text.lower()))
    tip = _tip_section(text)
    if tip is not None:
        return [tip] if tip else parent
    match = _HRR_SECTION.match(text)
    if match:
        return [f"section-{match.group(1)}"]
    lettered = _HRR_LETTERED.match(text)
    if lettered and parent and parent[0].startswith("section-"):
        return [parent[0], f"{parent[0]}{lettered.group(1).lower()}"]
    if folded == "executive summary":
        return ["executive-summary"]
    return parent or [slug(text) or "text"]


LONGEST_HEADING_KEY = 190  # characters: a filter value past MAX_FILTER_LENGTH names nothing


def heading_key(heading: str) -> str:
    """The key of a Human Rights Report heading whatever its number: ``Section 1.f. Transnational Repression`` and
    ``f. Transnational Repression`` -> ``transnational-repression``; ``Women`` -> ``women``."""
    text = heading.strip().rstrip(":").strip()
    numbered = _HRR_SECTION.match(text)
    text = numbered.group(2) if numbered else text
    text = re.sub(r"^[a-z]\.\s+", "", text, flags=re.I)
    key = slug(text)
    return key if len(key) <= LONGEST_HEADING_KEY else key[:LONGEST_HEADING_KEY].rsplit("-", 1)[0]


# A hostile page of 45,000 headings would make as many sections to index (a real narrative has at most
# about 45 sections and 400 paragraphs): past these, headings are read as text and paragraphs joined.
MOST_SECTIONS = 500
MOST_PARAGRAPHS = 5_000
# And a file of 20,000 country headings as many narratives (a whole TIP report holds about 190): past
# these, country headings are read as headings of the narrative they fall in, and the file's narratives
# share these sections and paragraphs.
MOST_NARRATIVES = 500
MOST_FILE_SECTIONS = 10_000
MOST_FILE_PARAGRAPHS = 50_000


def _file_cap(limit: int, own: int, files: int, what: str) -> str:
    """What a cap note adds when a narrative's cap was what its file had left."""
    return f" (the file's {files:,} {what} reached)" if limit < own else ""


class _SectionBuilder:
    """Collects blocks into sections while the narrative is read, at most ``most_sections`` sections and
    about ``most_paragraphs`` paragraphs (what the file has left, up to ``MOST_SECTIONS`` and
    ``MOST_PARAGRAPHS``); ``capped`` says what was read otherwise."""

    def __init__(self, most_sections: int, most_paragraphs: int) -> None:
        self.most_sections, self.most_paragraphs = most_sections, most_paragraphs
        self.sections: list[Section] = []
        self.heading = "Summary"
        self.placed = ["summary"]  # the keys of where the section stands (section_keys)
        self.keys = ["summary"]  # those and its headings' (heading_key)
        self.outline: list[str] = []  # the heading keys of the numbered sections the next heading falls under
        self.parts: list[str] = []
        self.length = 0  # of the section's text so far: its parts joined
        self.joined: list[str] = []  # paragraphs past the cap, joined to the section's last one at the end
        self.pages: list[tuple[int, int]] = []
        self.pending_number: str | None = None
        self.paragraphs = 0  # in the sections made
        self.headings_as_text = 0
        self.paragraphs_joined = 0

    def flush(self) -> None:
        self._join_past_cap()
        if self.parts and RECOMMENDATION_KEYS & set(self.keys):
            self._itemize()
            self._join_past_cap()  # the items past the cap
        if self.parts:
            self.sections.append(Section(self.heading, self.keys, "\n\n".join(self.parts), self.pages))
            self.paragraphs += len(self.parts)
        self.parts, self.pages, self.length = [], [], 0

    @property
    def capped(self) -> list[str]:
        """What was read otherwise than the page set it out, in words."""
        return [
            note
            for count, note in (
                (
                    self.headings_as_text,
                    f"{self.headings_as_text} headings past {self.most_sections} sections read as text"
                    + _file_cap(self.most_sections, MOST_SECTIONS, MOST_FILE_SECTIONS, "sections"),
                ),
                (
                    self.paragraphs_joined,
                    f"{self.paragraphs_joined} paragraphs past {self.most_paragraphs} joined"
                    + _file_cap(self.most_paragraphs, MOST_PARAGRAPHS, MOST_FILE_PARAGRAPHS, "paragraphs"),
                ),
            )
            if count
        ]

    def _join_past_cap(self) -> None:
        """The paragraphs past the cap joined to the section's last one."""
        if self.joined:
            self.parts[-1] = " ".join([self.parts[-1], *self.joined])
            self.joined = []

    def _itemize(self) -> None:
        """Make each recommendation its own paragraph, keeping the page each came from."""
        paragraphs, pages, offset = self.parts, dict(self.pages), 0
        page_starts = sorted(pages)
        self.parts, self.pages, self.length = [], [], 0
        for paragraph in paragraphs:
            started = [pages[o] for o in page_starts if o <= offset]
            offset += len(paragraph) + 2
            for item in split_recommendations(paragraph):
                self.text_block(Block("text", item, 0, started[-1] if started else None))

    def heading_block(self, block: Block) -> None:
        if len(self.sections) + 1 >= self.most_sections:
            self.headings_as_text += 1
            self.text_block(Block("text", block.text, 0, block.page))
            return
        self.flush()
        match = _HRR_SECTION.match(block.text)
        if match and not match.group(2):  # "Section 1." then its title in the next heading
            self.pending_number = match.group(1)
            return
        text = "Executive Summary" if _PLACEHOLDER_HEADING.match(block.text) else block.text
        if self.pending_number:
            text = f"Section {self.pending_number}. {text}"
            self.pending_number = None
        parent = self.placed if self.placed != ["summary"] else []
        self.placed = section_keys(text, parent if not _HRR_SECTION.match(text) else [])
        lettered = _HRR_LETTERED.match(text) and len(self.placed) == 2
        number = self.placed[0].removeprefix("section-")
        self.heading = (f"Section {number}.{text}" if lettered else text).rstrip(":").strip()
        self.keys = self._with_headings(text, numbered=self.placed is not parent)

    def _with_headings(self, text: str, numbered: bool) -> list[str]:
        """A Human Rights Report section's keys with those of its heading and the headings it falls under, so that
        it is found by heading whichever number an edition gives it: ``Women`` ->
        ``section-6 discrimination-and-societal-abuses women``."""
        if not self.placed[0].startswith("section-"):
            self.outline = []
            return self.placed
        own = heading_key(text)
        if numbered:  # "Section 6. ..." or "b. ...": the headings its subsections fall under
            self.outline = [*self.outline[: len(self.placed) - 1], own]
            return [*self.placed, *self.outline]
        return [*self.placed, *self.outline, own]

    def text_block(self, block: Block) -> None:
        if self.parts and self.paragraphs + len(self.parts) >= self.most_paragraphs:
            self.paragraphs_joined += 1
            self.joined.append(block.text)
            return
        if block.page is not None and (not self.pages or self.pages[-1][1] != block.page):
            self.pages.append((self.length + 2 * bool(self.parts), block.page))
        self.length += len(block.text) + 2 * bool(self.parts)
        self.parts.append(block.text)


def _run_in_heading(block: Block) -> tuple[str, str, str] | None:
    """(text before, heading, text after) of a paragraph with a heading run into it, else None.

    The heading is the paragraph's bold opening words when they name a country and tier or
    a TIP section ("Prosecution", "RECOMMENDATIONS FOR HAITI:"), or a "Recommendations for X:"
    anywhere after a sentence.
    """
    lead = block.lead.strip().rstrip(":").strip()
    if lead and (parse_country_heading(lead) or _tip_section(lead)):
        return "", lead, block.text[len(block.lead) :].lstrip(" :")
    match = _RUN_IN_RECOMMENDATIONS.search(block.text)
    if match:
        return block.text[: match.start()].strip(), match.group(1), block.text[match.end() :]
    return None


def _separate_run_in_headings(blocks: list[Block]) -> list[Block]:
    """Blocks with every run-in heading made a heading block of its own."""
    separated = []
    for block in blocks:
        split = _run_in_heading(block) if block.kind == "text" else None
        if split is None:
            separated.append(block)
            continue
        before, heading, after = split
        separated += [
            Block(kind, text, level, block.page)
            for kind, text, level in (("text", before, 0), ("heading", heading, 4), ("text", after, 0))
            if text
        ]
    return separated


def _split_by_country(
    blocks: list[Block],
) -> tuple[list[tuple[tuple[Country, str, str] | None, list[Block]]], int]:
    """Cut blocks at TIP country headings, at most ``MOST_NARRATIVES`` of them; blocks before the first one
    form their own part. Also how many country headings past the cap were left in the part they fall in."""
    parts: list[tuple[tuple[Country, str, str] | None, list[Block]]] = [(None, [])]
    past_cap = 0
    for block in blocks:
        parsed = parse_country_heading(block.text) if block.kind == "heading" else None
        if parsed and len(parts) <= MOST_NARRATIVES:
            parts.append((parsed, []))
        else:
            past_cap += parsed is not None
            parts[-1][1].append(block)
    return [(head, body) for head, body in parts if any(b.kind == "text" for b in body)], past_cap


def _sections(blocks: list[Block], most_sections: int, most_paragraphs: int) -> _SectionBuilder:
    """A narrative's blocks read into sections: the builder holds them, how many paragraphs they have,
    and what of them was read otherwise than set out (capped)."""
    builder = _SectionBuilder(most_sections, most_paragraphs)
    for block in blocks:
        if block.kind == "heading":
            builder.heading_block(block)
        else:
            builder.text_block(block)
    builder.flush()
    return builder


def _is_assessment(paragraph: str) -> bool:
    """Whether a paragraph says how the government meets the minimum standards (a TIP narrative's summary)."""
    return "minimum standards" in paragraph and bool(_ASSESSMENT.search(paragraph))


def _split_at(section: Section, cut: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The page offsets of ``section``'s text before ``cut`` and from it (shifted to start at 0)."""
    before = [(o, page) for o, page in section.pages if o < cut]
    after = [(o - cut, page) for o, page in section.pages if o >= cut]
    if before and not (after and after[0][0] == 0):
        after.insert(0, (0, before[-1][1]))  # the page the cut falls on
    return before, after


def profile_first(sections: list[Section]) -> list[Section]:
    """A TIP narrative's untitled opening split where the assessment paragraph starts ("The Government of X
    does not fully comply with the minimum standards ..."): the paragraphs before it are the trafficking
    profile, the rest the summary, as the editions of 2001-2016 lay them out. Unchanged when the assessment
    opens the narrative or the narrative has a Trafficking Profile section of its own."""
    if not sections or sections[0].keys != ["summary"] or any("trafficking-profile" in s.keys for s in sections):
        return sections
    opening = sections[0]
    paragraphs = opening.text.split("\n\n")
    at = next((i for i, p in enumerate(paragraphs) if _is_assessment(p)), 0)
    if not at:
        return sections
    profile = "\n\n".join(paragraphs[:at])
    before, after = _split_at(opening, len(profile) + 2)
    return [
        Section("Trafficking profile", ["trafficking-profile"], profile, before),
        Section(opening.heading, opening.keys, "\n\n".join(paragraphs[at:]), after),
        *sections[1:],
    ]


def _summary_tier(summary: str) -> tuple[str, str]:
    tier = tier_from_summary(summary) or ""
    return tier, TIER_LABELS.get(tier, "")


def _narrative_id(report: str, year: int | None, key: str) -> str:
    return f"{report}-{year or 'undated'}-{key}".lower()


def build_narratives(
    extracted: Extracted, source: str, content_hash: str, edition: tuple[str, int] | None = None
) -> list[Narrative]:
    """Turn one extracted file into its narratives (several for a multi-country TIP page).

    ``edition`` (report, year) is what a fetch knows of the file; otherwise both are detected.
    """
    report, year = edition or (detect_report(extracted, source), detect_year(extracted, source))
    parts, countries_past_cap = _split_by_country(_separate_run_in_headings(extracted.blocks))
    headed: list[tuple[tuple[Country, str, str] | None, list[Block]]] = [
        (head, body) for head, body in parts if head is not None
    ]
    if headed and (report == "tip" or len(headed) > 1):
        parts = headed  # front matter before the first country heading: contents, an introduction
    narratives = []
    sections_left, paragraphs_left = MOST_FILE_SECTIONS, MOST_FILE_PARAGRAPHS
    for head, body in parts:
        country, tier, label = head if head else (detect_country(extracted, source), "", "")
        built = _sections(body, min(MOST_SECTIONS, sections_left), min(MOST_PARAGRAPHS, paragraphs_left))
        sections, capped = built.sections, built.capped
        sections_left, paragraphs_left = sections_left - len(sections), paragraphs_left - built.paragraphs
        if report == "tip":
            tier, label = (tier, label) if tier or not sections else _summary_tier(sections[0].text)
            sections = profile_first(sections)
        if country:
            name, iso3, region, key = country.name, country.iso3, country.region, country.iso3
            title = f"{year or ''} {REPORT_NAMES[report]}: {name}".strip()
        else:
            title = extracted.title or extracted.headline or _file_name(source)
            name, iso3, region, key = "", "", "", slug(_file_name(source)) or slug(title)
        narratives.append(
            Narrative(
                id=_narrative_id(report, year, key),
                report=report,
                year=year,
                country=name,
                iso3=iso3,
                region=region,
                title=title,
                tier=tier,
                tier_label=label,
                sections=sections,
                source=extracted.url or source,
                content_hash=content_hash,
                capped=capped,
            )
        )
    if countries_past_cap and narratives:
        narratives[-1].capped.append(
            f"{countries_past_cap} country headings past {MOST_NARRATIVES} narratives read as headings"
        )
    return narratives
