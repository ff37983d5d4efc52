require "reject";
reject "no";
redirect "x@example.org";
