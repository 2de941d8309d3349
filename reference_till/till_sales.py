"""Sales verbs of the reference till: lines, corrections, discounts, payment, conclusion.

:class:`SalesMixin` gives :class:`~reference_till.till.Till` its sale verbs: registering
and returning articles, line corrections and manual discounts (§ 2-8-2 bokstav q and s),
the buyer's name (bokføringsforskrifta § 5-1-2), parking and resuming, tenders (cash,
card through the integrated terminal, other means), conclusion with the receipt
(§ 2-6 fjerde ledd) or as a credit sale with a delivery receipt (§ 2-8-7), and voiding
(§ 2-8-2 bokstav r). The open sale itself is :class:`~reference_till.sale.OpenSale`;
every step is journaled through :meth:`~reference_till.till_base._TillBase._commit`.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from reference_till import receipt_layout
from reference_till.codes import EventType
from reference_till.config import PaymentMeans
from reference_till.errors import BuyerNameRequired, OperationError, PaymentError, ReceiptNotPrinted
from reference_till.faults import Fault
from reference_till.model import CashTransaction, Event, Payment, Series, TransactionKind, trans_id
from reference_till.money import format_amount, format_nok, parse_quantity
from reference_till.sale import OpenSale
from reference_till.till_base import _RegisterState, _TillBase

__all__ = ["SalesMixin"]


class SalesMixin(_TillBase):
    """The sale verbs of :class:`~reference_till.till.Till`."""

    # ================================================================ sales

    def _open_sale(self, reg: _RegisterState) -> OpenSale:
        if reg.sale is None:
            operator = self._require_operator(reg)
            reg.sale_counter += 1
            ref = f"{reg.id}-O{reg.sale_counter:06d}"
            reg.sale = OpenSale(ref, reg.id, operator, self.now(), training=reg.training)
            self._pending_events.append(
                self._event(reg, EventType.SALE_STARTED, text=f"sale {ref}", sale=ref, training=reg.training)
            )
        return reg.sale

    def add_item(
        self, register_id: str, art_id: str, quantity: int | str | Decimal = 1, *, campaign_discount: int = 0
    ) -> int:
        """Register an article on the open sale (starting one if needed); returns the line id.

        Args:
            register_id: The kassapunkt.
            art_id: Article id from the configuration.
            quantity: Units or weight; negative registers a return line.
            campaign_discount: Automatic campaign discount in øre (not counted in bokstav q).
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            article = self.config.article(art_id)
            qty = parse_quantity(quantity)
            opened = reg.sale is None
            sale = self._open_sale(reg)
            price = self._prices[art_id]
            try:
                line = sale.add_line(article, qty, price, self.now(), reg.operator, campaign_discount)
            except BaseException:
                if opened:  # a refused first item (quantity 0, discount too big) opens no sale
                    reg.sale = None
                    reg.sale_counter -= 1
                    self._pending_events.pop()  # its SALE_STARTED, appended last by _open_sale
                raise
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.LINE_ADDED,
                            text=f"sale {sale.ref}; {line.text()}",
                            sale=sale.ref,
                            line=line.line_id,
                            amount=line.amount,
                            training=sale.training,
                            art=article.id,
                            quantity=str(qty),
                            price=price,
                            campaign=campaign_discount,
                        )
                    ],
                )
            except BaseException:
                sale.lines.remove(line)
                raise
            return line.line_id

    def return_item(
        self, register_id: str, art_id: str, quantity: int | str | Decimal = 1, *, original_trans_id: str = ""
    ) -> int:
        """Register a returned article (a negative line) on the open sale; returns the line id.

        A sale with only return lines concludes as a return receipt (§ 2-8-5); with sale lines
        too it is one receipt counting sale and return separately (bokstav l and p).
        """
        qty = parse_quantity(quantity)
        line_id = self.add_item(register_id, art_id, -abs(qty))
        if original_trans_id:
            self._current_sale(self._reg(register_id)).returns_trans_id = original_trans_id
        return line_id

    def correct_line(self, register_id: str, line_id: int, quantity: int | str | Decimal) -> None:
        """Reduce a line's quantity before conclusion (0 deletes it); counted in § 2-8-2 bokstav s."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            snapshot = [(ln, ln.quantity, list(ln.discounts)) for ln in sale.lines]
            line, removed, kind = sale.reduce(line_id, parse_quantity(quantity))
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.LINE_CORRECTION,
                            text=(
                                f"sale {sale.ref}; {kind}; artID {line.article.id}; "
                                f"lineAmntIn -{format_amount(removed)}"
                            ),
                            sale=sale.ref,
                            line=line_id,
                            type=kind,
                            quantity=str(parse_quantity(quantity)),
                            amount=removed,
                            training=sale.training,
                        )
                    ],
                )
            except BaseException:
                sale.lines[:] = [ln for ln, _, _ in snapshot]
                for ln, qty, discounts in snapshot:
                    ln.quantity, ln.discounts = qty, discounts
                raise

    def remove_line(self, register_id: str, line_id: int) -> None:
        """Delete a line before conclusion (a line correction, § 2-8-2 bokstav s)."""
        self.correct_line(register_id, line_id, 0)

    def discount(self, register_id: str, line_id: int, amount: int, reason: str = "Rabatt") -> None:
        """Give a manual discount on a line at the kassapunkt (§ 2-8-2 bokstav q)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            line = sale.discount(line_id, amount, reason)
            try:
                self._commit(
                    reg,
                    [
                        self._event(
                            reg,
                            EventType.MANUAL_DISCOUNT,
                            text=f"sale {sale.ref}; artID {line.article.id}; dscAmnt {format_amount(amount)}",
                            sale=sale.ref,
                            line=line_id,
                            amount=amount,
                            training=sale.training,
                        )
                    ],
                )
            except BaseException:
                line.discounts.pop()
                raise

    def set_buyer(self, register_id: str, name: str) -> None:
        """Record the buyer's name (required from 40 000 NOK, bokføringsforskrifta § 5-1-2)."""
        with self._lock:
            if not name.strip():
                raise OperationError("the buyer's name must not be empty")
            self._current_sale(self._reg(register_id)).buyer_name = name.strip()

    def sale_total(self, register_id: str) -> int:
        """Amount of the open sale incl. VAT, in øre."""
        with self._lock:
            return self._current_sale(self._reg(register_id)).total

    def park(self, register_id: str) -> str:
        """Park (suspend) the open sale (event 13010); returns its reference."""
        with self._lock:
            reg = self._reg(register_id)
            sale = self._current_sale(reg)
            if sale.payments:
                raise OperationError("a sale with payments cannot be parked; conclude or void it")
            self._commit(reg, [self._event(reg, EventType.SUSPEND, text=f"sale {sale.ref}", sale=sale.ref)])
            reg.parked[sale.ref] = sale
            reg.sale = None
            return sale.ref

    def resume(self, register_id: str, ref: str) -> None:
        """Resume a parked sale (event 13011)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_operator(reg)
            self._require_drawer_closed(reg)
            if reg.sale is not None:
                raise OperationError(f"kassapunkt {reg.id}: park or conclude the open sale {reg.sale.ref} first")
            if ref not in reg.parked:
                raise OperationError(f"no parked sale {ref!r} on {reg.id}; parked: {sorted(reg.parked)}")
            self._commit(reg, [self._event(reg, EventType.RESUME, text=f"sale {ref}", sale=ref)])
            reg.sale = reg.parked.pop(ref)

    def parked(self, register_id: str) -> list[str]:
        """References of the parked sales of a kassapunkt."""
        return sorted(self._reg(register_id).parked)

    # ---------------------------------------------------------------- payment

    def _tender(
        self,
        reg: _RegisterState,
        sale: OpenSale,
        means: PaymentMeans,
        amount: int,
        reference: str = "",
        brand: str = "",
    ) -> None:
        sale.payments.append(Payment(means.id, amount, reg.operator, reference, brand))

    def pay_cash(self, register_id: str, tendered: int | None = None) -> int:
        """Take cash for the rest of the sale, rounded to whole kroner; returns the change in øre.

        Args:
            register_id: The kassapunkt.
            tendered: Cash handed over (øre); ``None`` means exactly the rounded amount due.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            due, _ = sale.cash_due()
            given = due if tendered is None else tendered
            if (due >= 0 and given < 0) or (due < 0 and given > 0):
                raise OperationError("tendered cash has the wrong sign for this sale")
            taken = min(given, due) if due >= 0 else max(given, due)
            self._tender(reg, sale, self.config.means_of_kind("cash"), taken)
            return given - taken

    def pay_card(self, register_id: str, amount: int | None = None) -> str:
        """Take a card payment (or refund) through the integrated terminal; returns its reference.

        Raises:
            PaymentError: The terminal declined, timed out, was busy or the customer aborted.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            rest = sale.total - sale.paid
            value = rest if amount is None else amount
            if value == 0:
                raise OperationError("nothing left to pay")
            terminal = reg.devices.terminal
            result = (
                terminal.payment(value, sale_reference=sale.ref)
                if value > 0
                else terminal.refund(-value, sale_reference=sale.ref)
            )
            if not result.approved:
                raise PaymentError(
                    f"kassapunkt {reg.id}: the payment terminal did not approve "
                    f"{format_nok(value)} NOK: {result.message}. Nothing was paid; "
                    "try again or choose another means of payment."
                )
            approved = result.amount if value > 0 else -result.amount
            means = self._card_means(result.brand)
            self._tender(reg, sale, means, approved, result.reference, result.brand)
            # kassasystemforskrifta § 2-7 første ledd: the money moved at the terminal is journaled at
            # once, so a till that dies before the sale is concluded can reverse it when it restarts.
            self._commit(
                reg,
                [
                    self._event(
                        reg,
                        EventType.CARD_PAYMENT,
                        text=f"sale {sale.ref}; {means.id} {format_nok(approved)}; ref {result.reference}",
                        sale=sale.ref,
                        means=means.id,
                        amount=approved,
                        reference=result.reference,
                        brand=result.brand,
                    )
                ],
            )
            return result.reference

    def pay_other(self, register_id: str, means_id: str, amount: int | None = None, reference: str = "") -> None:
        """Take a gift card or mobile payment (Vipps ...) for ``amount`` (default: the rest)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            means = self.config.means(means_id)
            if means.kind in {"cash", "card", "credit"}:
                raise OperationError(f"use pay_cash, pay_card or conclude_credit for {means.id} ({means.kind})")
            value = sale.total - sale.paid if amount is None else amount
            self._tender(reg, sale, means, value, reference or f"{means.id}-{sale.ref}")

    # ---------------------------------------------------------------- conclusion

    def conclude(self, register_id: str, *, electronic_receipt: str = "") -> CashTransaction:
        """Conclude the paid sale: journal it, print the receipt, open the drawer for cash.

        Args:
            register_id: The kassapunkt.
            electronic_receipt: Address to send the receipt to as well; the paper receipt is
                then marked «KOPI» and counted as the sale's one copy (§ 2-6 fjerde ledd, § 2-8-6).

        Raises:
            PrinterUnavailable: The printer cannot print; the sale stays open.
            BuyerNameRequired: 40 000 NOK or more and no buyer name.
            OperationError: Not fully paid.
        """
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            if not sale.lines:
                raise OperationError("the sale has no lines; void it instead")
            rest = sale.total - sale.paid
            cash_payments = [p for p in sale.payments if self.config.means(p.means_id).kind == "cash"]
            rounding = 0
            if rest != 0:
                due, rounding = sale.cash_due()
                if abs(rest) == 50 and (rest < 0) == (sale.total > 0):
                    # pay_cash rounded a 50-øre rest away from zero (round_cash), so 50 øre
                    # overpaid is the cash rounding, not money left to pay
                    due, rounding = 0, -rest
                if due != 0 or not cash_payments:
                    raise OperationError(f"the sale is not paid: {format_nok(rest)} NOK left")
            # bokføringsforskrifta § 5-1-2: the buyer's name on cash payments of NOK 40 000 or more
            cash = abs(sum(p.amount for p in sale.payments if self.config.means(p.means_id).kind == "cash"))
            if cash >= self.config.buyer_name_from and not sale.buyer_name and Fault.NO_BUYER_CHECK not in self.faults:
                raise BuyerNameRequired(
                    f"{format_nok(cash)} NOK is paid in cash; bokføringsforskrifta § 5-1-2 requires the buyer's "
                    f"name from {format_nok(self.config.buyer_name_from)} NOK in cash. Call set_buyer() first."
                )
            self._require_printer(reg)
            kind = sale.kind
            series = Series.TRAINING if sale.training else Series.SALES
            return self._conclude(reg, sale, kind, series, rounding, electronic_receipt=electronic_receipt)

    def conclude_credit(self, register_id: str, customer_id: str) -> CashTransaction:
        """Conclude the sale as a credit sale invoiced later, printing a delivery receipt (§ 2-8-7)."""
        with self._lock:
            reg = self._reg(register_id)
            self._require_drawer_closed(reg)
            sale = self._current_sale(reg)
            if sale.payments or sale.training or sale.total <= 0:
                raise OperationError("a credit sale has positive lines, no other payments and no training mode")
            if not customer_id.strip():
                raise OperationError("a credit sale needs the customer's account id")
            self._require_printer(reg)
            self._tender(reg, sale, self.config.means_of_kind("credit"), sale.total, customer_id)
            return self._conclude(reg, sale, TransactionKind.CREDIT_SALE, Series.DELIVERY, 0, customer_id=customer_id)

    def _conclude(
        self,
        reg: _RegisterState,
        sale: OpenSale,
        kind: TransactionKind,
        series: Series,
        rounding: int,
        *,
        electronic_receipt: str = "",
        customer_id: str = "",
    ) -> CashTransaction:
        totals = sale.totals(self.config)
        number = self._next_number(reg, series)
        tx = self._sign(
            reg,
            CashTransaction(
                register_id=reg.id,
                nr=0,
                trans_id=trans_id(reg.id, series, number),
                kind=kind,
                series=series,
                number=number,
                amount_in=totals.amount_in,
                amount_ex=totals.amount_ex,
                emp_id=sale.emp_id,
                at=self.now(),
                signature="",
                key_version="",
                lines=totals.lines,
                vat_totals=totals.vat_totals,
                rounding=rounding,
                payments=tuple(sale.payments),
                buyer_name=sale.buyer_name,
                customer_id=customer_id,
                returns_trans_id=sale.returns_trans_id,
                provisional_receipts=sale.provisional_receipts,
                sale_ref=sale.ref,
            ),
        )
        receipt_event = {
            TransactionKind.SALE: EventType.SALES_RECEIPT,
            TransactionKind.SALE_RETURN: EventType.SALES_RECEIPT,
            TransactionKind.RETURN: EventType.RETURN_RECEIPT,
            TransactionKind.CREDIT_SALE: EventType.DELIVERY_RECEIPT,
            TransactionKind.TRAINING: EventType.TRAINING_RECEIPT,
        }[kind]
        records: list[CashTransaction | Event] = [tx, self._event(reg, receipt_event, trans=tx.trans_id)]
        doc = receipt_layout.document_for(tx, self.config)
        documents: list[tuple[int, str, Callable[[], bytes]]] = []
        if electronic_receipt:
            # § 2-6 fjerde ledd / § 2-8-6: paper and electronic receipt -> the paper one is the copy
            event, document = self._copy_receipt(reg, tx, doc, "; paper copy of e-receipt")
            records.append(event)
            documents.append(document)
        else:
            documents.append(
                (
                    0,
                    f"receipt {tx.trans_id}",
                    lambda: self._render(doc),
                )
            )
        # Cash moves only for real sales paid or refunded in cash (training moves no cash).
        moves_cash = kind is not TransactionKind.TRAINING and any(
            self.config.means(p.means_id).kind == "cash" for p in tx.payments
        )
        if moves_cash:
            records.append(self._event(reg, EventType.DRAWER_OPEN, trans=tx.trans_id))
        reg.sale = None
        try:
            self._commit(reg, records, documents, kick_drawer=moves_cash)
        except ReceiptNotPrinted:
            raise
        except BaseException:
            reg.sale = sale
            raise
        finally:
            if electronic_receipt and reg.sale is None:
                self._send_electronic(electronic_receipt, self._render(doc))
        return tx

    def void(self, register_id: str, reason: str = "Annullert av operatør") -> CashTransaction:
        """Cancel the open sale (§ 2-8-2 bokstav r); card payments on it are refunded first."""
        with self._lock:
            reg = self._reg(register_id)
            sale = self._current_sale(reg)
            self._reverse_card_payments(reg, sale)
            tx = self._void(reg, sale, reason)
            reg.sale = None
            return tx
