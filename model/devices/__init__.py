"""Executable state machines of a no-WAN prepayment premises, on a simulated clock.

Who calls what (proofs replay counterexamples here; attackers drive it with real bytes):

Set-up
    ``Scenario.build(assumptions=None, flaws=None, commission_hht=False)`` (:mod:`.scenario`) wires a
    Supplier head-end (``supplier``, plus ``supplier2`` for change of supplier), the DCC/ACB (``dcc``),
    the Comms Hub (``hub``), ``esme``, ``gsme``, ``ppmid`` and ``hht`` on one ``SimClock`` (``clock``),
    with deterministic keys, the meters and PPMID already on the device log (real CCS01 frames) and
    joined. ``assumptions`` is a ``model.assumptions.Assumptions`` or a ``{dotted.key: value}`` dict.
    ``flaws`` takes :class:`Flaw` members, used only by tests and self-tests (seeded weaknesses).

Driving it
    - Time: ``sc.clock.advance(seconds)``. Nothing reads wall time.
    - UTRNs: ``sc.mint("esme", pence)`` -> 20 digits; ``sc.esme.enter_utrn(utrn)`` (keypad) or
      ``sc.ppmid.top_up(eui, kind, utrn)`` (HAN); interleavings with ``begin_utrn`` / ``finish_utrn``.
    - Remote Party commands as bytes: ``sc.send_command("esme", "set-debt", 500)`` -> ACB-protected
      General-Ciphering frame (or None if the DCC refused); deliver with ``sc.hub.receive_wan(frame)``
      (WAN), ``sc.ppmid.receive_wifi(frame)`` + ``forward/drop/replay`` (SECMP0038 relay) or
      ``sc.hub.han_relay_remote(source_eui, frame)`` (any device on the HAN). Lower level:
      ``SupplierHeadEnd.command / topup_command / raw_command`` -> ``GeneralSigning``;
      ``Dcc.submit(sender_eui, signing)`` -> ``Submission(outcome, frame)``.
    - Hub: ``power_cycle()``, ``inter_pan_open()``, ``join(eui, install_code)``,
      ``inter_pan_join(...)``; ``sc.rogue().commission(sc.hub, "ppmid")`` is the rogue-join path.
    - DCC: ``set_mp169(sender, device, value)``, ``change_supplier``; ``sc.change_supplier()``.
    - Plain serialisable steps: ``sc.apply({"op": ..., ...})`` / ``sc.run(steps)``; ops in
      ``scenario.STEP_OPS``; every applied step is appended to ``sc.trace``.

Reading state (for invariants)
    Every operation returns an :class:`Outcome` (``accepted``, ``reason`` (:class:`Reason`), ZSE result,
    GBCS alert code). Meters: ``account`` (balance/debt/emergency credit/limits/supply), ``credited``
    (one :class:`CreditRecord` per credited UTRN, with its counter upper word), ``executed`` (every
    command run, with originator and counter), ``last_counter``, ``utrn_cell``, ``lockout``, ``events``.
    Hub: ``device_log``, ``cs14_alerts`` (real alert frames), ``dropped``. ``sc.state()`` gives it all
    as plain data.

Modelling assumptions are read from ``Assumptions`` by dotted key (``utrn.*``, ``lockout.*``,
``limits.*``, ``pairing.window_s``); payload layouts in :mod:`.content`, :mod:`.commands` and
:mod:`.devicelog`; the security wrapper is ``model.gbcs``'s, byte for byte.
"""
from nowan.model.devices.clock import SimClock
from nowan.model.devices.dcc import Dcc, Submission
from nowan.model.devices.flaws import Flaw
from nowan.model.devices.headend import SupplierHeadEnd
from nowan.model.devices.hub import CommsHub, ZseCertificate
from nowan.model.devices.keys import CachedKa, Party, make_party
from nowan.model.devices.meter import CreditRecord, ExecutedCommand, HanMessage, Meter, SupplierAnchor
from nowan.model.devices.outcomes import Alert, Event, Outcome, Reason, ZseResult
from nowan.model.devices.ppmid import Hht, Ppmid
from nowan.model.devices.scenario import STEP_OPS, Scenario

__all__ = ["Alert", "CachedKa", "CommsHub", "CreditRecord", "Dcc", "Event", "ExecutedCommand", "Flaw", "HanMessage",
           "Hht", "Meter", "Outcome", "Party", "Ppmid", "Reason", "STEP_OPS", "Scenario", "SimClock", "Submission",
           "SupplierAnchor", "SupplierHeadEnd", "ZseCertificate", "ZseResult", "make_party"]
