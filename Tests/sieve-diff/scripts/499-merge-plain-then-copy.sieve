require ["fileinto", "copy"];
fileinto "A";
fileinto :copy "A";
