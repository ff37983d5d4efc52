redirect "x@example.org";
