"""The workflows that change the register: notifications, declarations, the back office."""
