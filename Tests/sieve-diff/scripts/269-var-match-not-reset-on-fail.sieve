require ["variables", "fileinto"];
if header :matches "Subject" "*Friday*" { }
if header :matches "Subject" "nomatch*" { }
fileinto "[${1}]";
