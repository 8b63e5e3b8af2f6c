"""Shared fixtures: paths to ../shared, a session-wide index of real and fixture pages."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from indexer.index.home import IndexHome
from indexer.index.writer import BuildReport, build_index
from indexer.search.handle import OpenBuild, open_build
from indexer.settings import Settings
from tests.fixtures.tip_pdf import write_tip_pdf
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
HRR = SHARED / "corpus" / "hrr"
PDF_REAL = SHARED / "corpus" / "pdf" / "real"
PDF_HOSTILE = SHARED / "corpus" / "pdf" / "hostile"
TIP_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tip"
HRR_SAMPLE = [
    "2023/bangladesh",
    "2023/india",
    "2023/thailand",
    "2023/chad",
    "2023/malaysia",
    "2023/indonesia",
    "2023/cote-divoire",
    "2020/burma",
    "2016/bangladesh",
    "2019/eswatini",
    "2023/north-korea",  # beside the TIP fixture of 2023: the two reports on one country
]


def index_files(paths: list[Path], root: Path, settings: Settings | None = None, **options) -> BuildReport:
    """Build an index of ``paths`` at ``root`` as ``tipsearch index`` does (settings from the environment)."""
    settings = settings or Settings.from_environment()
    home = IndexHome.of(settings, root)
    with home.lock():
        return build_index(paths, home, settings, **options)


def opened(root: Path, settings: Settings | None = None) -> OpenBuild:
    """The build searched at ``root``, opened (settings from the environment)."""
    return open_build(settings or Settings.from_environment(), root)


def web_app(root: Path, **changes):
    """A test app on the index at ``root`` with no rate limit unless ``changes`` say otherwise."""
    return create_app(Settings(index=root, **{"rate_limit": 0, **changes}), TESTING=True)


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` imported as the module ``name``."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def shared_path(path: Path) -> Path:
    """``path`` under ../shared, or skip the test saying what is missing."""
    if not path.exists():
        pytest.skip(f"{path} is not here: the real corpus lives in ../shared beside the project")
    return path


@pytest.fixture(scope="session")
def tip_pdf(tmp_path_factory) -> Path:
    return write_tip_pdf(tmp_path_factory.mktemp("pdf") / "2023-tip-report.pdf")


@pytest.fixture(scope="session")
def sources(tip_pdf) -> list[Path]:
    """The TIP fixtures, the TIP PDF and (where ../shared is here) real HRR pages and PDFs."""
    hrr = [HRR / f"{name}.html.gz" for name in HRR_SAMPLE] if HRR.exists() else []
    pdfs = [PDF_REAL] if PDF_REAL.exists() else []
    return [TIP_FIXTURES, tip_pdf, *hrr, *pdfs]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory, sources) -> Path:
    """An index built once for the session from ``sources``."""
    target = tmp_path_factory.mktemp("index") / "index"
    report = index_files(sources, target)
    assert not report.failures, report.failures
    return target


@pytest.fixture(scope="session")
def hrr_2023(tmp_path_factory):
    """An index of every 2023 Human Rights Report page in ../shared, and its build report."""
    target = tmp_path_factory.mktemp("hrr2023") / "index"
    return target, index_files([shared_path(HRR / "2023")], target)


@pytest.fixture
def needs_hrr():
    shared_path(HRR)


@pytest.fixture
def app(index_dir):
    return web_app(index_dir)


@pytest.fixture
def client(app):
    return app.test_client()
