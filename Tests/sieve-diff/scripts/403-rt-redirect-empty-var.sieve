require "variables";
set "a" "";
redirect "${a}";
