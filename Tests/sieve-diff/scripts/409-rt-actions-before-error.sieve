require ["fileinto", "variables"];
fileinto "A";
set "a" "";
redirect "${a}";
