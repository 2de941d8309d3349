"""Documents and functions of the reference till outside a sale's conclusion.

:class:`DocumentsMixin` gives :class:`~reference_till.till.Till` the provisional receipt
(event 13015, § 2-8-2 bokstav o), the one copy receipt marked «KOPI» (§ 2-6 fjerde ledd,
§ 2-8-6), training mode (FOR-2016-07-06-901), price look-up (§ 2-7 fjerde ledd), opening
the drawer without a sale (nullinnslag, § 1-2 bokstav c) and price changes (§ 2-7
tredje ledd).
"""

from __future__ import annotations

from reference_till import receipt_layout
from reference_till.codes import EventType
from reference_till.errors import CopyLimitReached, OperationError
from reference_till.faults import Fault
from reference_till.model import Series, TransactionKind
from reference_till.money import format_amount, vat_of_gross
from reference_till.till_base import _RegisterState, _TillBase

__all__ = ["DocumentsMixin"]


class DocumentsMixin(_TillBase):
    """The document and function verbs of :class:`~reference_till.till.Till`."""

    # ================================================================ documents and functions

    def provisional_receipt(self, register_id: str) -> None:
        """Print a provisional receipt (foreløpig kvittering) of the open sale (event 13015, bokstav o)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            self._require_printer(reg)
            number = self._next_number(reg, Series.PROVISIONAL)
            totals = sale.totals(self.config)
            doc = receipt_layout.ReceiptDocument(
                kind=receipt_layout.DocumentKind.PROVISIONAL,
                register_id=reg.id,
                number=f"{Series.PROVISIONAL.value}{number:06d}",
                at=self.now(),
                operator=self._operator_name(reg),
                lines=totals.lines,
                vat_totals=totals.vat_totals,
                total=totals.amount_in,
            )
            event = self._event(
                reg,
                EventType.PROVISIONAL_RECEIPT,
                text=f"sale {sale.ref}; receipt {doc.number}; amount {format_amount(totals.amount_in)}",
                sale=sale.ref,
                number=number,
                amount=totals.amount_in,
            )
            reg.numbers[Series.PROVISIONAL] = number
            sale.provisional_receipts += 1
            self._commit(
                reg,
                [event],
                [
                    (
                        0,
                        f"provisional {doc.number}",
                        lambda: self._render(doc),
                    )
                ],
            )

    def _operator_name(self, reg: _RegisterState) -> str:
        emp = self.config.employee(reg.operator)
        return f"{emp.display_name} ({emp.id})"

    def print_copy(self, register_id: str, trans_id_: str) -> None:
        """Print the one allowed copy receipt, marked «KOPI» (§ 2-6 fjerde ledd, § 2-8-6, event 13014).

        Raises:
            CopyLimitReached: A copy of this receipt was already printed (on paper or as the
                paper twin of an electronic receipt).
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            tx = self.journal.transaction(trans_id_)
            if tx is None or not (tx.is_sale_document or tx.kind is TransactionKind.CREDIT_SALE):
                raise OperationError(f"no receipt {trans_id_!r} in the journal")
            copies = self.journal.count_events(EventType.COPY_RECEIPT, trans_id=trans_id_)
            if copies >= 1 and Fault.SECOND_COPY not in self.faults:
                raise CopyLimitReached(
                    f"receipt {trans_id_} already has its copy; kassasystemforskrifta § 2-6 "
                    "fjerde ledd allows one copy receipt"
                )
            self._require_printer(reg)
            event, document = self._copy_receipt(reg, tx, receipt_layout.document_for(tx, self.config))
            self._commit(reg, [event], [document])

    def set_training(self, register_id: str, on: bool) -> None:
        """Switch training mode on or off (events 13023/13024; FOR-2016-07-06-901)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            if reg.sale is not None:
                raise OperationError("conclude or void the open sale before switching training mode")
            if reg.training == on:
                return
            self._commit(reg, [self._event(reg, EventType.TRAINING_ON if on else EventType.TRAINING_OFF)])
            reg.training = on

    def price_lookup(self, register_id: str, art_id: str) -> int:
        """Show an article's price without registering it (§ 2-7 fjerde ledd, event 13022, bokstav t)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            article = self.config.article(art_id)
            price = self._prices[art_id]
            vat = vat_of_gross(price, self.config.vat(article.vat_code).rate_bp)
            if Fault.UNJOURNALED_LOOKUP in self.faults:  # breaks § 2-7 fjerde ledd
                return price
            self._commit(
                reg,
                [
                    self._event(
                        reg,
                        EventType.PRICE_LOOKUP,
                        text=(
                            f"artID {art_id}; artGroupID {article.group_id}; lineAmntIn {format_amount(price)}; "
                            f"lineAmntEx {format_amount(price - vat)}"
                        ),
                        art=art_id,
                        group=article.group_id,
                        amount=price,
                    )
                ],
            )
            return price

    def open_drawer(self, register_id: str, reason: str = "") -> None:
        """Open the drawer without a sale (nullinnslag, § 1-2 bokstav c; counted in bokstav m)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            if reg.sale is not None:
                raise OperationError("the drawer opens with the sale's conclusion; no nullinnslag during a sale")
            if Fault.UNJOURNALED_DRAWER in self.faults:  # breaks § 2-8-2 bokstav m: an opening nobody can count
                reg.devices.drawer.kick()
                return
            self._commit(
                reg, [self._event(reg, EventType.DRAWER_OPEN_NO_SALE, text=reason or "Nullinnslag")], kick_drawer=True
            )

    def change_price(self, art_id: str, price: int, *, register_id: str | None = None) -> None:
        """Change an article's price; the journal records when (§ 2-7 tredje ledd, event 13021)."""
        with self._lock:
            self.config.article(art_id)
            if price < 0:
                raise OperationError("a price cannot be negative")
            reg = self._reg(register_id or self.config.registers[0].id)
            old = self._prices[art_id]
            self._commit(
                reg,
                [
                    self._event(
                        reg,
                        EventType.PRICE_CHANGE,
                        text=f"artID {art_id}; {format_amount(old)} -> {format_amount(price)}",
                        art=art_id,
                        old=old,
                        new=price,
                    )
                ],
            )
            self._prices[art_id] = price

    def price(self, art_id: str) -> int:
        """The current price of an article (øre)."""
        self.config.article(art_id)
        return self._prices[art_id]
