redirect "x@example.org";
redirect "x@example.org";
redirect "y@example.org";
