require "vacation";
vacation "away";
