require ["variables", "fileinto"];
set "a" "one two";
if string :contains "${a}" "two" { fileinto "yes"; }
