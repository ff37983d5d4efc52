if header :comparator 5 "Subject" "x" { keep; }
