from __future__ import annotations

from decimal import Decimal

from declarations.models import Declaration
from tests.declarations.factories import (
    DeclarationFactory,
    DeclarationLineFactory,
    documents_attach,
    documents_complete,
)


def submitted_declaration(
    *, company, declarant, lines: int = 1, value: Decimal = Decimal("200000"), **kwargs
) -> Declaration:
    """A draft import in yen with `lines` lines of knitted T-shirts from CN and its invoice, ready to submit."""
    declaration = DeclarationFactory(company=company, declarant=declarant, **kwargs)
    for number in range(1, lines + 1):
        DeclarationLineFactory(
            declaration=declaration, line_no=number, description="cotton knitted t-shirts", origin_country="CN",
            quantity=Decimal("100"), unit="NO", net_weight_kg=Decimal("20"), invoice_value=value,
        )  # fmt: skip
    return documents_attach(declaration)


def submit_and_screen(declaration: Declaration, *, by) -> Declaration:
    """Attaches the documents it lacks, submits, then runs the screening the on-commit task
    would run (scores and routes it)."""
    from declarations.core.services import submission

    documents_complete(declaration)
    submission.declaration_submit(declaration=declaration, submitted_by=by)
    submission.declaration_screen(declaration_id=declaration.pk)
    return Declaration.objects.get(pk=declaration.pk)
