"""Jobs are queued by reference (a JobRef from app.queues, or the job function itself), never by a typed string.

A dotted path that names no job fails only in the worker, after the change that queued it has committed;
these tests fail first.
"""
import ast
import inspect
import re
from pathlib import Path

import pytest
from rq.utils import import_attribute

from app import queues
from app.jobs.periodic import PERIODIC
from app.queues import ALL_QUEUES, JobRef
from app.services import job_outbox

APP = Path(__file__).resolve().parent.parent / "app"
REFS = {name: value for name, value in vars(queues).items() if isinstance(value, JobRef)}
RQ_CALLBACK = ["job", "connection", "exc_type", "exc_value", "traceback"]


def problem(ref: JobRef) -> str | None:
    """Why `ref` would fail in the worker, or None when RQ finds a job function (or callback) there."""
    try:
        function = import_attribute(ref.path)
    except (ImportError, AttributeError, ValueError) as exc:
        return f"{ref.path!r} does not resolve: {exc}"
    if not inspect.isfunction(function) or f"{function.__module__}.{function.__name__}" != ref.path \
            or not function.__module__.startswith("app.jobs."):
        return f"{ref.path!r} is not a function defined in app.jobs"
    if ref.queue is None:  # a failure callback: RQ calls it with these five arguments
        return None if list(inspect.signature(function).parameters) == RQ_CALLBACK else "not an RQ callback"
    return None if ref.queue in ALL_QUEUES else f"queue {ref.queue!r} has no worker"


@pytest.mark.parametrize("name", sorted(REFS))
def test_every_job_ref_names_a_job_function(name):
    assert problem(REFS[name]) is None


@pytest.mark.parametrize("path", sorted(PERIODIC))
def test_every_periodic_job_resolves(path):
    assert inspect.isfunction(import_attribute(path))


@pytest.mark.parametrize("ref", [JobRef("app.jobs.validation.no_such_job"), JobRef("app.jobs.nowhere.job"),
                                 JobRef("app.jobs.validation.SUB_BATCH"), JobRef("app.services.mail.send_all"),
                                 JobRef("app.jobs.validation.validate_application", "nobody-listens"),
                                 JobRef("app.jobs.validation.validate_application", None)])
def test_a_job_ref_that_names_no_job_is_caught(ref):
    assert problem(ref)


def test_the_outbox_refuses_a_typed_string(app):
    with app.app_context(), pytest.raises(TypeError, match="JobRef"):
        job_outbox.enqueue("app.jobs.validation.validate_application", 1)
    with app.app_context(), pytest.raises(TypeError, match="JobRef"):
        job_outbox.enqueue(queues.VALIDATION_FAILED, 1)  # a callback is not a job


def test_no_module_types_a_job_path():
    """Only app/queues.py spells `app.jobs.` paths; everyone else imports its JobRefs."""
    typed = []
    for path in sorted(APP.rglob("*.py")):
        if path == APP / "queues.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.fullmatch(r"app\.jobs(\.\w+)+", node.value.strip()):
                typed.append(f"{path.relative_to(APP.parent)}:{node.lineno}: {node.value}")
    assert not typed, "\n".join(typed)
