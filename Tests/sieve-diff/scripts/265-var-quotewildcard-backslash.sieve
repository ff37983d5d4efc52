require ["variables", "fileinto"];
set :quotewildcard "q" "a*b?c\\d";
fileinto "${q}";
