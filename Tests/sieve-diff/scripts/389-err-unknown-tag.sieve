if header :fuzzy "Subject" "x" { keep; }
