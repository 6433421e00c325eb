"""One import direction, checked on the source so the architecture picture in the README stays true.

Every module under app/ sits in a layer and imports only from its own layer or lower ones, at any depth
(an import inside a function counts):

    base < addresses < models < audit < services (checks, export) < jobs < request edge < web | api | cli < entry

base is what every layer may use and that uses no domain layer (choices, config, extensions, queues,
after_commit, transactions, spreadsheet, models.types, url_converters, security_headers, system); the
request edge is what web and api share (auth, errors, input_guard, downloads, template_filters); entry is
create_app and app.runtime (the launcher, the web server and what starts them), which assemble everything.
web, api and cli never import one another, and a blueprint package app/web/<x>/ never imports another one:
they share through a lower layer or through a module directly in app/web/.

Inside services, the workflow packages use one another one way only: review may use validation,
publication and subscriptions; validation and publication may use subscriptions but neither each other nor
review; subscriptions uses none of them. And no module imports, however
indirectly, a module that imports it back: a package's __init__ importing its own modules (a blueprint
registering its pages) is the one exception, since Python loads a package before its modules anyway.
"""
import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# Prefix → layer rank; the longest matching prefix wins ("app" itself, create_app, matches only itself, so
# a new top-level module fails test_every_module_has_a_layer until it is placed).
LAYERS = {
    "app.choices": 0, "app.config": 0, "app.extensions": 0, "app.queues": 0, "app.after_commit": 0,
    "app.spreadsheet": 0, "app.models.types": 0, "app.url_converters": 0, "app.security_headers": 0,
    "app.system": 0, "app.transactions": 0, "app.i18n": 0,
    "app.addresses": 1,
    "app.models": 2,
    "app.audit": 3,
    "app.services": 4, "app.export": 4,
    "app.jobs": 5,
    "app.auth": 6, "app.errors": 6, "app.input_guard": 6, "app.downloads": 6, "app.template_filters": 6,
    "app.language_choice": 6,
    "app.web": 7, "app.api": 7, "app.cli": 7,
    "app": 8, "app.runtime": 8,
}
# Top-layer packages that share nothing directly with each other.
SIBLINGS = ("app.web", "app.api", "app.cli")
# Workflow packages of app/services/ and the other workflows each may use.
WORKFLOWS = {
    "app.services.subscriptions": set(),
    "app.services.validation": {"app.services.subscriptions"},
    "app.services.publication": {"app.services.subscriptions"},
    "app.services.review": {"app.services.validation", "app.services.publication", "app.services.subscriptions"},
}

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


def workflow(module: str) -> str | None:
    return next((w for w in WORKFLOWS if module == w or module.startswith(w + ".")), None)


def violation(importer: str, imported: str) -> str | None:
    if layer(importer) is None or layer(imported) is None:
        return None  # test_every_module_has_a_layer names it
    if layer(imported) > layer(importer):
        return "imports a higher layer"
    mine, theirs = workflow(importer), workflow(imported)
    if mine and theirs and mine != theirs and theirs not in WORKFLOWS[mine]:
        return f"uses the {theirs.rpartition('.')[2]} workflow, which {mine.rpartition('.')[2]} may not"
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


def assembles_itself(importer: str, imported: str) -> bool:
    """A package's __init__ importing one of its own modules (e.g. a blueprint registering its pages)."""
    return (APP.parent.joinpath(*importer.split(".")) / "__init__.py").is_file() and imported.startswith(importer + ".")


def circles(edges: set[tuple[str, str]]) -> list[list[str]]:
    """The import circles among `edges` (importer, imported): each strongly connected set of two or more
    modules, sorted (Tarjan's algorithm, iterative so a long chain cannot overflow the stack)."""
    graph: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = counter[0]; counter[0] += 1; stack.append(root); on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    members = []
                    while True:
                        member = stack.pop(); on_stack.discard(member); members.append(member)
                        if member == node:
                            break
                    if len(members) > 1:
                        found.append(sorted(members))
            elif child not in index:
                index[child] = low[child] = counter[0]; counter[0] += 1; stack.append(child); on_stack.add(child)
                work.append((child, iter(graph[child])))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return sorted(found)


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


def test_no_import_circles():
    edges = {(importer, imported) for _, _, importer, imported in all_imports()
             if importer != imported and not assembles_itself(importer, imported)}
    found = circles(edges)
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_circle_finder_finds_circles():
    assert circles({("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e")}) == [["a", "b", "c"]]
    assert circles({("a", "b"), ("b", "a"), ("x", "y"), ("y", "x"), ("a", "x")}) == [["a", "b"], ["x", "y"]]
    assert circles({("a", "b"), ("b", "c")}) == []
    assert assembles_itself("app.web.review", "app.web.review.queue")
    assert not assembles_itself("app.web.review.queue", "app.web.review")
    assert not assembles_itself("app.web.review.queue", "app.web.review.batches")


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
    assert violation("app.services.publication.publish", "app.services.review.approved_space")
    assert violation("app.services.validation.batch", "app.services.review.decisions")
    assert violation("app.services.validation.checks.isp", "app.services.publication.files")
    assert violation("app.services.publication.webhooks", "app.services.validation.queue")
    assert not violation("app.services.review.batches", "app.services.publication.publish")
    assert not violation("app.services.review.approvals", "app.services.validation.queue")
    assert not violation("app.services.applications", "app.services.review.reopening")
    assert violation("app.services.subscriptions.inputs", "app.services.validation.queue")
    assert not violation("app.services.validation.checks.isp", "app.services.subscriptions.inputs")
