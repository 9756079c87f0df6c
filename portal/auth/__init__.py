"""Accounts: users, sign-up, login/logout, email verification, password reset, 2FA, invitations."""
