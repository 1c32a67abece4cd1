"""Rollups that keep province-scale dashboards fast; rebuilt from the dossiers by a command."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MonthlyCounts(models.Model):
    """Events per month × competent agency × desk × field × channel (received dossiers only).

    Each column counts the dossiers whose event falls in the month (local time):
    - `received`: received; `due`: legal due moment;
    - `finished`: finished in any way; of which `settled_*` (granted, by timeliness),
      `refused`, `withdrawn` (at the applicant's request or unsupplemented);
    - `closed_due`: finished, by the later of the finish and the legal due moment — so that
      "open and past due at the end of month M" = due before M's end − closed_due before it;
    - `stops_started` / `stops_ended`: clock stops opened / closed;
    - `rated` / `satisfied`: satisfaction ratings given in the month (R-RATING), and those
      with no criterion rated "not satisfied".
    Sums of these over months give every cell of the periodic report (R-STATS) for
    month-aligned periods (`stats.rollup_report`). Rebuilt by `manage.py rebuild_rollups`
    (every few minutes from cron); tests check both against recomputation from the dossiers.
    """

    month = models.DateField(_("tháng"))
    agency = models.ForeignKey("organizations.Agency", on_delete=models.CASCADE, related_name="+")
    desk = models.ForeignKey("organizations.Desk", on_delete=models.CASCADE, related_name="+")
    field = models.ForeignKey(
        "procedures.ProcedureField", on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(max_length=12)
    received = models.PositiveIntegerField(default=0)
    settled_early = models.PositiveIntegerField(default=0)
    settled_on_time = models.PositiveIntegerField(default=0)
    settled_late = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    due = models.PositiveIntegerField(default=0)
    closed_due = models.PositiveIntegerField(default=0)
    stops_started = models.PositiveIntegerField(default=0)
    stops_ended = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "agency", "desk", "field", "channel"], name="monthly_counts_key"
            )
        ]
        # Consumer: the dashboards' "by month" and "by agency × month" reads.
        indexes = [models.Index(fields=["month", "agency"], name="monthly_counts_month")]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} {self.agency_id}"


class DashboardSnapshot(models.Model):
    """What the province-wide dashboard shows besides the monthly series — the year's targets
    and the agencies with the most overdue dossiers — computed by `rebuild_rollups` so that
    the page reads one row instead of scanning millions of dossiers."""

    key = models.CharField(max_length=40, unique=True)
    computed_at = models.DateTimeField()
    data = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.key
