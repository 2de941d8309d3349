"""Device emulators and transports (ESC/POS printer, cash drawer, payment terminal)."""
