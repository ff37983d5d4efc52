require ["variables", "fileinto"];
set "Box" "A";
fileinto "${BOX}-${box}";
