"""`jiliang campaign-verify-draw NUMBER`: draw a campaign again from its stored population snapshot and seed and
compare with the stored targets and inspectors (docs/supervision-campaigns.md, "Drawing again").

Exit status 0 when everything matches, 1 when something differs (each difference printed), 2 when there is no such
campaign or it has not been drawn.
"""

from django.core.management.base import BaseCommand

from jiliang.supervision import campaigns
from jiliang.supervision.models import Campaign, CampaignStatus


class Command(BaseCommand):
    help = "Draw a spot-check campaign again from its recorded seed and population and compare with its targets."

    def add_arguments(self, parser):
        parser.add_argument("number", help="the campaign's number, e.g. 320000-2026-S001")

    def handle(self, *args, number, **options):
        campaign = Campaign.objects.filter(number=number).first()
        if campaign is None:
            self.stderr.write(f"no campaign {number}")
            raise SystemExit(2)
        if campaign.status == CampaignStatus.DRAFT:
            self.stderr.write(f"campaign {number} has not been drawn")
            raise SystemExit(2)
        check = campaigns.verify_draw(campaign)
        self.stdout.write(f"campaign {campaign.number}: seed {campaign.seed!r}, population {check.population_size}, "
                          f"SHA-256 {check.population_sha256}, sample {campaign.sample_size}, "
                          f"at least {campaign.min_per_county} per county")
        if check.ok:
            self.stdout.write(self.style.SUCCESS("drawn again: the same targets and inspectors"))
            return
        for problem in check.problems:
            self.stdout.write(self.style.ERROR(problem))
        raise SystemExit(1)
