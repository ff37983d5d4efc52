require "vacation";
vacation :days "three" "r";
