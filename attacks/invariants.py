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
    Invariant("lockout-exact", IMPLEMENTATION,
              "UTRN entry on a covered path is suspended exactly while the lockout rule says (lockout.max_failures "
              "failures within lockout.window_s lock it for lockout.lock_s), with one suspension alert per lock.",
              "The meter refused a UTRN as locked out after the lock had expired (or before it engaged), checked "
              "one during the lock, counted a failure that had left the window, or raised the suspension alert "
              "for no lock. Check the lockout's comparisons at the lock expiry and the window's end."),
    Invariant("topup-credited", IMPLEMENTATION,
              "A fresh, authentic top-up within the limits, entered while no lockout is in force, is credited.",
              "A legitimate top-up was refused: a limit checked with >= where > was meant (a top-up of exactly "
              "the Max Credit Threshold, or one taking the balance exactly to the Max Meter Balance), emergency "
              "credit owed counted against the headroom, or a lock held past its expiry. The consumer paid and "
              "got nothing."),
    Invariant("emergency-credit-granted", IMPLEMENTATION,
              "Emergency credit the rules allow (none in use, the balance below the threshold) is granted when the "
              "consumer asks: the full allowance, marked in use, a disconnected supply armed, a supply on left on.",
              "The meter refused emergency credit it should have granted, granted it without saying so, or "
              "changed the supply the wrong way (interrupting a supply that was on). Check the activation "
              "conditions and the supply update of the account."),
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
    Invariant("pairing-window-exact", IMPLEMENTATION,
              "Inter-PAN commissioning is open for exactly pairing.window_s seconds after power-on: a device "
              "with a valid certificate is admitted inside the window.",
              "The hub refused an HHT over inter-PAN inside the window (closed early: a comparison at the "
              "window's end, or the time since power-on miscomputed)."),
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

