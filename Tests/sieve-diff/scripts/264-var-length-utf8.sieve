require ["variables", "fileinto"];
set :length "n" "Grüße";
fileinto "${n}";
