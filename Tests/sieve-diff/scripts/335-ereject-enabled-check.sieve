require "ereject";
ereject "x";
