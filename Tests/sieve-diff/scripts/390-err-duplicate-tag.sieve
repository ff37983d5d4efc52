if header :is :contains "Subject" "x" { keep; }
