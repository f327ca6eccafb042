"""What judging does: assigning, scoring, closing stages and awarding (used by the API and
the event handlers alike)."""
