require ["variables", "fileinto"];
set "h" "Subject";
if header :contains "${h}" "Lunch" { fileinto "yes"; }
