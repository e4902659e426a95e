"""The invariants the harnesses check, as data: id, kind, what must never happen, and guidance.

Each invariant is a rule in the SARIF output (stable id, description, help) and a test name in the
JUnit output, so a CI dashboard tracks the same ids over time. ``kind`` says whether a violation is
an implementation bug (must be zero on the faithful model under default assumptions) or a
demonstrated channel weakness (evidence for the risk report).
"""
from __future__ import annotations

from dataclasses import dataclass

from nowan.attacks.findings import IMPLEMENTATION, WEAKNESS


@dataclass(frozen=True)
class Invariant:
    """One property a harness checks after every step."""

    id: str
    kind: str
    text: str
    help: str


_ALL = (
    Invariant("credit-once", IMPLEMENTATION,
              "Credit applied equals the sum of distinct legitimately issued UTRNs, each at most once.",
              "A UTRN was credited twice, or credit arrived that no supplier issued (replay, forgery, "
              "cross-meter replay). Check the UTRN counter cache, floor and MAC comparison."),
    Invariant("floor-respected", IMPLEMENTATION,
              "No UTRN whose counter is at or below the prepayment top-up floor is credited.",
              "The floor set with the supplier's PP-KA credentials must retire every older UTRN."),
    Invariant("lockout-enforced", IMPLEMENTATION,
              "At most lockout.max_failures failed UTRN checks on a covered path in any lockout window.",
              "The keypad (and the HAN path when lockout.covers_han) must suspend entry after repeated "
              "failures, bounding online MAC guessing."),
    Invariant("entitled-commands-only", IMPLEMENTATION,
              "No command executes that no entitled party issued, and each issued command at most once.",
              "A replayed, altered, unsigned or wrongly-MACed command ran: check A-REPLAY counters, the "
              "MAC comparison and the signature check on Critical commands."),
    Invariant("balance-within-limits", IMPLEMENTATION,
              "The meter balance never exceeds limits.max_balance_pence through top-ups.",
              "A-LIMITS: a top-up above the Max Credit Threshold or one taking the balance above the Max "
              "Meter Balance must be refused."),
    Invariant("balance-rises-only-by-credit", IMPLEMENTATION,
              "The meter balance rises only through a credited top-up or an executed set-credit command.",
              "The balance went up with no top-up credited and no set-credit run: a command meant to take "
              "credit away (deduct-credit) or some other path added credit. Check the command's sign and "
              "the prepayment registers."),
    Invariant("emergency-credit-once", IMPLEMENTATION,
              "Emergency credit is activated only while none is in use and the balance is below the emergency "
              "credit threshold.",
              "Emergency credit was activated again while in use (its allowance refilled: free credit), or "
              "with the balance above the threshold. Check the activation conditions of the account."),
    Invariant("han-membership-authorised", IMPLEMENTATION,
              "HAN membership and forwarding change only through an authorised path (CCS01/CCS02, or the "
              "inter-PAN window while it is open).",
              "The hub forwarded traffic from a device not on its device log, or a device joined outside "
              "an authorised path."),
    Invariant("mp169-no-consumption-data", IMPLEMENTATION,
              "No consumption data leaves the premises while the MP169 flag is set.",
              "The DCC or a device released consumption data to a party while the consumer's reduced "
              "communications flag was set."),
    Invariant("envelope-errors-documented", IMPLEMENTATION,
              "The GBCS envelope parser and verifier raise nothing but FrameError on any input.",
              "A mutated frame raised an undocumented exception: the codec must reject it with FrameError."),
    Invariant("mutated-never-verifies", IMPLEMENTATION,
              "No GBCS message whose protected bytes (security header, General-Signing APDU, MAC) were altered "
              "verifies.",
              "A frame altered by the attacker in bytes the MAC or signature covers still verified: check the "
              "MAC and signature computations."),
    Invariant("envelope-uncovered-fields", WEAKNESS,
              "No General-Ciphering header field can be changed in transit without detection.",
              "GBCS authenticates the security header and the General-Signing APDU, not the outer "
              "General-Ciphering header fields (transaction-id, system titles, date-time, other-information): a "
              "relay can change them undetected. A property of the format, not an implementation bug; a "
              "receiver must act only on the protected copies of these fields."),
    Invariant("no-crash", IMPLEMENTATION,
              "Devices return an Outcome for every input; no exception escapes on attacker input.",
              "A device raised instead of refusing: attacker bytes reached code that does not expect them."),
    Invariant("topup-delivered", WEAKNESS,
              "Every top-up the consumer paid for reaches the meter.",
              "The channel lets an intermediary (relay PPMID, NFC relay, flooding) withhold or delay credit: "
              "an availability weakness of the channel design, not an implementation bug."),
    Invariant("han-guess-rate-bounded", WEAKNESS,
              "Failed UTRN checks over a HAN path stay within the lockout bound.",
              "With lockout.covers_han=false a HAN path offers unlimited online MAC guesses; the "
              "brute-force probability then depends only on radio throughput."),
    Invariant("rogue-join-prevented", WEAKNESS,
              "No device joins the HAN without a DCC-authorised CCS01.",
              "A device holding any ZigBee SE certificate self-whitelisted through inter-PAN: with the "
              "60-minute window removed (SECMP0037) possession of a certificate and proximity suffice."),
)

INVARIANTS: dict[str, Invariant] = {i.id: i for i in _ALL}

