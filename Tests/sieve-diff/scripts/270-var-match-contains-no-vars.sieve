require ["variables", "fileinto"];
if header :matches "Subject" "L*" { }
if header :contains "Subject" "Friday" { fileinto "[${1}]"; }
