require "vacation";
vacation :mime :handle "h1" text:
Content-Type: text/plain

Away with a handle.
.
;
