require ["variables", "fileinto"];
fileinto "${foo.bar}";
