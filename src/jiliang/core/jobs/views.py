"""/jobs/: the user's own jobs with live progress, a job's page, and its result file (owner only)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _

from .models import Job
from .services import jobs_dir

PAGE = 50


@login_required
def job_list(request):
    jobs = list(Job.objects.restrict(request.user)[:PAGE])
    template = "core/htmx/job_rows.html" if request.htmx else "core/job_list.html"
    return render(request, template, {"jobs": jobs, "polling": any(j.active for j in jobs)})


def _own(request, pk) -> Job:
    # Another user's job is answered as if it did not exist (404), like any record outside one's scope.
    return get_object_or_404(Job.objects.restrict(request.user), pk=pk)


@login_required
def job_detail(request, pk: int):
    job = _own(request, pk)
    template = "core/htmx/job_progress.html" if request.htmx else "core/job_detail.html"
    return render(request, template, {"job": job})


@login_required
def job_download(request, pk: int):
    job = _own(request, pk)
    if not job.result_path:
        raise Http404(_("This job has no result file."))
    root = jobs_dir().resolve()
    path = (root / job.result_path).resolve()
    if root not in path.parents:
        raise Http404(_("This job has no result file."))
    if not path.is_file():
        from jiliang.core.views import _error_page

        return _error_page(request, 404, _("Result file not found"),
                           _("The result file of this job is no longer on the server (%(name)s). Start the job "
                             "again.") % {"name": job.result_name}, "bi-file-earmark-x", "secondary")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


urlpatterns = [
    path("", job_list, name="job-list"),
    path("<int:pk>/", job_detail, name="job-detail"),
    path("<int:pk>/download/", job_download, name="job-download"),
]
