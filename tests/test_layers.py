"""One import direction, checked on the source so the architecture picture in the README stays true.

Every module under app/ sits in a layer and imports only from its own layer or lower ones, at any depth
(an import inside a function counts):

    base < addresses < models < audit < services (checks, export) < jobs < request edge < web | api | cli < entry

base is what every layer may use and that uses no domain layer (choices, config, extensions, queues,
after_commit, spreadsheet, models.types, url_converters, security_headers, system); the
request edge is what web and api share (auth, errors, input_guard, downloads, template_filters); entry is
create_app and app.runtime (the launcher, the web server and what starts them), which assemble everything. web, api and cli never
import one another, and a blueprint package app/web/<x>/ never imports another one: they share through a
lower layer or through a module directly in app/web/.
"""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Prefix → layer rank; the longest matching prefix wins ("app" itself, create_app, matches only itself, so
# a new top-level module fails test_every_module_has_a_layer until it is placed).
LAYERS = {
    "app.choices": 0, "app.config": 0, "app.extensions": 0, "app.queues": 0, "app.after_commit": 0,
    "app.spreadsheet": 0, "app.models.types": 0, "app.url_converters": 0, "app.security_headers": 0,
    "app.system": 0,
    "app.addresses": 1,
    "app.models": 2,
    "app.audit": 3,
    "app.services": 4, "app.export": 4,
    "app.jobs": 5,
    "app.auth": 6, "app.errors": 6, "app.input_guard": 6, "app.downloads": 6, "app.template_filters": 6,
    "app.web": 7, "app.api": 7, "app.cli": 7,
    "app": 8, "app.runtime": 8,
}
# Top-layer packages that share nothing directly with each other.
SIBLINGS = ("app.web", "app.api", "app.cli")

# Violations that exist today, each to be removed with the change that fixes it (the list should end empty).
KNOWN: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = APP.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(path: Path):
    """(line, module) for every app.* module that `path` imports, resolving `from app import audit` to app.audit."""
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if is_module(f"{base}.{alias.name}") else base for alias in node.names]
        else:
            continue
        for target in targets:
            if target == "app" or target.startswith("app."):
                yield node.lineno, target


def layer(module: str) -> int | None:
    prefixes = [p for p in LAYERS if module == p or (p != "app" and module.startswith(p + "."))]
    return LAYERS[max(prefixes, key=len)] if prefixes else None


def top_package(module: str, depth: int) -> str:
    return ".".join(module.split(".")[:depth])


def blueprint(module: str) -> str | None:
    """app.web.<x> for a module inside a blueprint package; None for the shared modules directly in app/web/."""
    parts = module.split(".")
    if module.startswith("app.web.") and len(parts) > 2 and (APP / "web" / parts[2]).is_dir():
        return ".".join(parts[:3])
    return None


def violation(importer: str, imported: str) -> str | None:
    if layer(importer) is None or layer(imported) is None:
        return None  # test_every_module_has_a_layer names it
    if layer(imported) > layer(importer):
        return "imports a higher layer"
    mine, theirs = top_package(importer, 2), top_package(imported, 2)
    if mine in SIBLINGS and theirs in SIBLINGS and mine != theirs:
        return "imports a sibling at the top"
    if blueprint(importer) and blueprint(imported) and blueprint(importer) != blueprint(imported):
        return "imports another blueprint's module"
    return None


def all_imports():
    for path in sorted(APP.rglob("*.py")):
        for line, imported in imported_modules(path):
            yield path, line, module_name(path), imported


def test_every_module_has_a_layer():
    unplaced = sorted({m for _, _, m, _ in all_imports() if layer(m) is None}
                      | {m for _, _, _, m in all_imports() if layer(m) is None})
    assert not unplaced, f"give these modules a layer in LAYERS: {unplaced}"


def test_imports_go_one_way():
    found, known_seen = [], set()
    for path, line, importer, imported in all_imports():
        reason = violation(importer, imported)
        if not reason:
            continue
        if (importer, imported) in KNOWN:
            known_seen.add((importer, imported))
            continue
        found.append(f"{path.relative_to(APP.parent)}:{line}: {importer} {reason}: {imported}")
    assert not found, "\n".join(found)
    fixed = KNOWN - known_seen
    assert not fixed, f"fixed, so take them out of KNOWN: {sorted(fixed)}"


def test_the_rule_catches_what_it_should():
    assert violation("app.models.users", "app.services.accounts")
    assert violation("app.services.applications", "app.jobs.validation")
    assert violation("app.api.applications", "app.web.applicant.forms")
    assert violation("app.web.admin.routes", "app.web.applicant.forms")
    assert violation("app.system.memory", "app")
    assert not violation("app.web.admin.routes", "app.web.outcomes")
    assert not violation("app.web.review.queue", "app.web.review.forms")
    assert not violation("app.jobs.validation", "app.services.validation.retries")
    assert not violation("app.services.national_register", "app.system.memory")
