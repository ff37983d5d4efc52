require "vacation";
vacation :handle "h2" "away";
