require ["copy"];
redirect :copy "x@example.org";
