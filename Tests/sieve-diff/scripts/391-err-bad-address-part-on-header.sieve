if header :domain "From" "x" { keep; }
