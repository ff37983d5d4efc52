require "variables";
set "a" "no at sign";
redirect "${a}";
