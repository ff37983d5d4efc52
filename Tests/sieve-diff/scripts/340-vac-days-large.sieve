require "vacation";
vacation :days 100 "r";
