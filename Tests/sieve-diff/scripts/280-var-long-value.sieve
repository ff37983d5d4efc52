require ["variables", "fileinto"];
set "a" "0123456789";
set "a" "${a}${a}${a}${a}${a}${a}${a}${a}${a}${a}";
set :length "n" "${a}${a}";
fileinto "${n}";
