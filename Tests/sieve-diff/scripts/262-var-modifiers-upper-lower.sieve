require ["variables", "fileinto"];
set :upper "a" "mixed Case";
set :lowerfirst "b" "ABC";
fileinto "${a}/${b}";
