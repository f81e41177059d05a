"""Clinical reasoning over a checked list: which flagged medicines most plausibly explain the cramps
(attribution), which laboratory checks a prescriber may consider, other possible causes and
self-care, and the class words ("a water pill"). Pure: seed rules in, plain data out."""
