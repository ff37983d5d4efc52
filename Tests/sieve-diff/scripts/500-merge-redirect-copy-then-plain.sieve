require ["copy"];
redirect :copy "x@example.org";
redirect "x@example.org";
