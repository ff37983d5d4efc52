require ["variables", "fileinto"];
set "p" "*Friday?";
if header :matches "Subject" "${p}" { fileinto "yes"; }
