require ["variables", "fileinto"];
if header :matches "Subject" "* on *" { fileinto "${001}-${02}"; }
