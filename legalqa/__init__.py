"""What every floor of legalqa shares: its settings and its error base class."""
