require ["variables", "fileinto"];
if header :matches "Subject" "Lunch * ?" { fileinto "${0}|${1}|${2}"; }
