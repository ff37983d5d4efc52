require "vacation-seconds";
vacation :seconds 172800 "r";
