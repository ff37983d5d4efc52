require "vacation";
vacation text:
I am away.
Back soon.
.
;
