"""Matchmaking: rank catalog technologies and directory researchers against a text (a challenge,
or anything staff type), each with a score and the reasons for it."""
