"""The voting service: verified public voting, ballots, tallies and live results."""
