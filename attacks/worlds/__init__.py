"""Premises worlds, one per channel: devices, the legitimate record and the attacker."""
