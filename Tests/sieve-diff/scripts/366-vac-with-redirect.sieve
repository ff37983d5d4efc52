require "vacation";
redirect "x@example.org";
vacation "away";
