require ["fileinto"];
fileinto "A";
redirect "x@example.org";
fileinto "A";
fileinto "B";
