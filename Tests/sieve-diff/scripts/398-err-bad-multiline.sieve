require "reject";
reject text: junk
x
.
;
