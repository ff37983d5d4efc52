require "vacation";
vacation :addresses ["someone-else@example.net"] "away";
